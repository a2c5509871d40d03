// The VAPID contact subject rule (RFC 8292 section 2.1): a mailto: address or an https: URL. Import-free:
// the server options, the push key loader and the dashboard form all check it here.

/** Why `subject` (already trimmed) is not a usable contact, or null when it is. */
export function vapidSubjectProblem(subject: string): string | null {
  if (subject === '') return 'a contact is required: mailto:you@example.org or an https: URL';
  let url: URL | null = null;
  try {
    url = new URL(subject);
  } catch {
    // reported below
  }
  const ok =
    url !== null &&
    ((url.protocol === 'mailto:' && /^[^@\s]+@[^@\s]+$/.test(url.pathname)) ||
      (url.protocol === 'https:' && url.hostname !== ''));
  return ok ? null : `"${subject}" must be a mailto: address or an https: URL, e.g. mailto:admin@example.org`;
}
