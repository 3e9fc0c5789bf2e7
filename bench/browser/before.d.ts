/** `stream-v2-before` (vite.config.ts alias): another copy of the library, or nothing. */
declare module 'stream-v2-before';
