import { createContext, useContext } from "react";

/**
 * The per-request Content-Security-Policy nonce, provided during server rendering so Remix's
 * inline scripts can carry it. In the browser it is empty: browsers hide nonce values from the DOM.
 */
const NonceContext = createContext("");
export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
