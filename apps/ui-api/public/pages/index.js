// The pages in the main navigation, in menu order. A page module exports
// `{ id, title, adminOnly?, render(root, ctx) }`; ctx = { user, signal } (signal aborts when the user leaves the page).
import acquisition from './acquisition.js';
import deadLetters from './dead-letters.js';
import exportsPage from './exports.js';
import files from './files.js';
import receivers from './receivers.js';
import reports from './reports.js';
import subscriptions from './subscriptions.js';

export const pages = [files, exportsPage, reports, subscriptions, acquisition, receivers, deadLetters];
