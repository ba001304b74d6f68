import { html, notice, type SafeHtml } from "./html.js";

/** The login form, carrying its CSRF token and where to go once logged in, under what went wrong the last time. */
export const loginForm = (
  csrfToken: string,
  next: string,
  problem?: string,
): SafeHtml => html`${problem ? notice("error", problem) : ""}
<form method="post" action="/login" class="login">
<input type="hidden" name="csrf" value="${csrfToken}">
<input type="hidden" name="next" value="${next}">
<p><label>Login <input name="operator" autocomplete="username" required autofocus></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button></p>
</form>`;
