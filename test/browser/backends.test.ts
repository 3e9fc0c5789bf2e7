import { describe } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { crossCheckBackends } from '../backends-cases.js';

describe('backends in Chromium (primitives)', () => crossCheckBackends([webCryptoBackend, nobleBackend]));
