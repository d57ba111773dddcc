// The API key's journey in the page: it may arrive in the URL fragment (#key=…, never sent to the server), which is
// then removed from the address bar and the history, so it is not left on screen, in a bookmark or a shared link; the
// tab keeps it in sessionStorage (gone when the tab closes) until it is refused.
const STORAGE = 'emi-key';

export function takeKey() {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromHash = params.get('key');
  if (fromHash) {
    params.delete('key');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    sessionStorage.setItem(STORAGE, fromHash);
    return fromHash;
  }
  return sessionStorage.getItem(STORAGE);
}

export const rememberKey = (key) => sessionStorage.setItem(STORAGE, key);

export const forgetKey = () => sessionStorage.removeItem(STORAGE);

// What a person needs to hear when the key is refused (401), rather than the server's words about the header.
export const REFUSED = 'This key was not accepted. Check that it was copied whole, and ask your lab\'s admin whether it was revoked.';
