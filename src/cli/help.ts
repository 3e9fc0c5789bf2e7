/** Help texts of the CLI (the full reference is docs/CLI.md). */
import { DEFAULTS, LIMITS } from '../node.js';
import type { Command } from './args.js';

const D = DEFAULTS;

const SECRET = `SECRET (one of):
  --key-file F         64 hex characters (whitespace ignored), or exactly 32 raw bytes
  --passphrase-file F  the first line of F (a regular file or a pipe)
  --passphrase-env VAR the value of environment variable VAR
  --passphrase         prompt on the terminal, without echo`;

const RECIPIENTS = `RECIPIENTS (instead of SECRET; docs/RECIPIENTS.md):
  -r, --recipient KEY        a public key (s2pk1..., s2pkpq1...); repeatable
  -R, --recipients-file F    public keys, one a line ('#' comments); repeatable`;

const IDENTITY = `IDENTITY (instead of SECRET, for a file encrypted to recipients):
  -i, --identity F           an identity file (keygen --recipient); repeatable`;

const COMMON = `  -q, --quiet          no progress line on stderr
  -h, --help           this help`;

const TEXTS: Record<Command, string> = {
  encrypt: `usage: stream-v2 encrypt SECRET|RECIPIENTS [options] [--resume] [-o OUT] [IN]

Encrypts IN (default stdin) to OUT (default stdout; never a terminal). With -o and a file
IN, the ciphertext goes to .OUT.stream-v2-partial, renamed onto OUT when done; a run that
is interrupted (a signal, a crash, a power cut) leaves that file, ciphertext only.

${SECRET}
    (encrypting asks for the passphrase twice)

${RECIPIENTS}
    (the output is the key envelope, then the stream; no --resume)

options:
  --suite S                  aes-256-gcm (default) or chacha20-poly1305
  --frame-size N             plaintext bytes per frame, 1..${LIMITS.frameSize} (default ${D.frameSize})
  --frames-per-segment N     frames per segment, 1..${LIMITS.framesPerSegment} (default ${D.framesPerSegment})
  --log-n N                  scrypt cost for a passphrase, N = 2^n (default ${D.logN})
  --workers N                worker threads (0 = inline; default: one per core, at most 8)
  -o, --output OUT           write OUT atomically (temporary file, renamed on success);
                             a regular file only (redirect stdout to write elsewhere)
  --resume                   continue .OUT.stream-v2-partial of an interrupted run (needs
                             -o and a file IN; all of it is re-sealed from IN and compared
                             first: another IN is SOURCE_CHANGED, damage its spec code;
                             with no whole segment to compare, starts afresh)
  --force                    replace an existing OUT (a symbolic link: the link itself)
${COMMON}`,
  decrypt: `usage: stream-v2 decrypt SECRET|IDENTITY [options] [--range START-END] [-o OUT] [IN]

Decrypts IN (default stdin) to OUT (default stdout; never a terminal). With -o, OUT appears
only once the whole stream verified. On stdout, each segment is written as soon as it
verified: a stream that fails later may already have written earlier segments, so check
the exit status.

${SECRET}

${IDENTITY}

options:
  --max-segment-bytes N      refuse larger segments (default ${D.maxSegmentBytes}, at most ${LIMITS.segmentBytes})
  --max-log-n N              refuse a costlier scrypt (default ${D.maxLogN})
  --workers N                worker threads (0 = inline)
  --range START-END          only plaintext bytes START..END-1 (END exclusive; '100-',
                             '-100' and '-' too), reading only the segments that cover
                             them; needs a file IN
  -o, --output OUT           write OUT atomically; a regular file only
  --force                    replace an existing OUT (a symbolic link: the link itself)
${COMMON}`,
  verify: `usage: stream-v2 verify [SECRET] [options] [IN]

Without SECRET: the keyless check (frame structure and every segment's digest; a file IN
is checked in parallel on the workers). With SECRET: authenticates everything, one line per
segment; writes no plaintext. Both end with a verdict on stdout (OK: ... or FAILED: CODE).

${SECRET}

options:
  --max-segment-bytes N, --max-log-n N, --workers N (as for decrypt)
${COMMON}`,
  inspect: `usage: stream-v2 inspect [--json] [IN]

Prints the header fields, the segment count and sizes. Needs no key; checks structure only.

options:
  --json                     machine-readable output
  --max-segment-bytes N, --max-log-n N (as for decrypt)
  -h, --help                 this help`,
  keygen: `usage: stream-v2 keygen [--recipient [--pq]] [-o FILE] [--force]

Writes a fresh 32-byte key as 64 lowercase hex characters and a newline
(to stdout, or to FILE with mode 0600).

With --recipient: a new identity instead (X25519; --pq: X-Wing, ML-KEM-768 + X25519),
its public key as a comment, then its secret key. The public key is printed on stdout
with -o, on stderr without.`,
  rewrap: `usage: stream-v2 rewrap -i IDENTITY RECIPIENTS [-o OUT] [--force] [IN]

Reads the key envelope at the start of IN (a file encrypted to recipients, or an envelope
alone), opens its file key with IDENTITY, and writes a new envelope sealed to RECIPIENTS
(they replace every old recipient), then the rest of IN unchanged. The stream is not
re-encrypted: whoever kept its file key or an old copy can still read it.

${IDENTITY}

${RECIPIENTS}

options:
  -o, --output OUT           write OUT atomically; a regular file only
  --force                    replace an existing OUT (a symbolic link: the link itself)
  -h, --help                 this help`,
};

/** The general help. */
export const MAIN_HELP = `usage: stream-v2 <command> [options]

commands:
  encrypt   encrypt a file or stdin
  decrypt   decrypt and verify
  verify    check a stream, with or without its key
  inspect   show header fields and segment layout
  keygen    make a random 32-byte key, or an identity (--recipient)
  rewrap    seal a file's key to other recipients, without re-encrypting

'stream-v2 <command> --help' shows a command's options.
exit status: 0 ok, 1 failure ("error: CODE: message" on stderr), 2 usage error.`;

/** The help text of a command. */
export function commandHelp(command: Command): string {
  return TEXTS[command];
}
