/** The personal data the end-to-end run types in, so the run's log can be searched for it. */
export const PHONE = '+49 30 5550123';
/** Surnames and first names the specs use that no log line would contain by chance. */
export const NAMES = ['Zoë', "O'Brien", 'Lovelace', 'Turing', 'Keller', 'Noah'];
/** Any mailbox at all: the server never needs to log one. */
export const MAILBOX = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/;
