// The scanner's page: its elements by id, and which of its two screens shows.

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function show(screen: 'scan' | 'settings') {
  $('scan').hidden = screen !== 'scan';
  $('settings').hidden = screen !== 'settings';
}

/** "21:04": when a line of the last scans happened. */
export const clockTime = () =>
  new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
