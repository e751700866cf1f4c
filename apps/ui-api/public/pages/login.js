// Sign-in in two steps: email → 6-digit code from the email → session cookie.
import { api } from '../lib/api.js';
import { h, notice } from '../lib/ui.js';

export default {
  id: 'login',
  title: 'Sign in',
  render(root, { onSignedIn }) {
    const status = h('div', { class: 'form-status' });
    const say = (text, kind) => status.replaceChildren(text ? notice(text, kind) : '');

    const emailInput = h('input', {
      id: 'email',
      name: 'email',
      type: 'email',
      autocomplete: 'email',
      required: true,
      placeholder: 'you@example.com',
    });
    const codeInput = h('input', {
      id: 'code',
      name: 'code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9]{6}',
      maxlength: 6,
      required: true,
      placeholder: '123456',
    });

    const emailForm = h(
      'form',
      { class: 'stack', onsubmit: requestCode },
      h('label', { for: 'email' }, 'Email'),
      emailInput,
      h('button', { type: 'submit' }, 'Send me a code'),
    );
    const codeForm = h(
      'form',
      { class: 'stack', hidden: true, onsubmit: verifyCode },
      h('label', { for: 'code' }, 'Code from the email'),
      codeInput,
      h('button', { type: 'submit' }, 'Sign in'),
      h('button', { type: 'button', class: 'button-link', onclick: startOver }, 'Use another email'),
    );

    async function requestCode(event) {
      event.preventDefault();
      const button = emailForm.querySelector('button');
      button.disabled = true;
      try {
        const res = await api('POST', '/api/v1/auth/otp/request', { email: emailInput.value });
        emailForm.hidden = true;
        codeForm.hidden = false;
        // Only a development server (AUTH_DEV_ECHO) returns the code; production never does.
        say(
          res.devCode
            ? `Development mode: your code is ${res.devCode}.`
            : `If ${emailInput.value} has an account, a code is on its way. It is valid for 10 minutes.`,
          'info',
        );
        codeInput.focus();
      } catch (err) {
        say(err.message, 'error');
      } finally {
        button.disabled = false;
      }
    }

    async function verifyCode(event) {
      event.preventDefault();
      const button = codeForm.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        const { user } = await api('POST', '/api/v1/auth/otp/verify', {
          email: emailInput.value,
          code: codeInput.value.trim(),
        });
        onSignedIn(user);
      } catch (err) {
        say(err.message, 'error');
        codeInput.select();
      } finally {
        button.disabled = false;
      }
    }

    function startOver() {
      codeForm.hidden = true;
      emailForm.hidden = false;
      codeInput.value = '';
      say('');
      emailInput.focus();
    }

    root.replaceChildren(
      h(
        'section',
        { class: 'card login' },
        h('h1', {}, 'Sign in to Pulse'),
        h('p', { class: 'muted' }, 'We email you a one-time code. No password needed.'),
        emailForm,
        codeForm,
        status,
      ),
    );
    emailInput.focus();
  },
};
