/**
 * `stream-v2 rewrap -i IDENTITY (-r KEY | -R FILE)... [-o OUT] [IN]`: a new key envelope for the
 * same file key (docs/RECIPIENTS.md §3), sealed to the recipients given, which replace all the
 * old ones. IN is a container (envelope, then stream) or an envelope alone; OUT is the same with
 * the new envelope, the stream's bytes copied unchanged.
 */
import { rewrap } from '../node.js';
import { type Args, hasFlag, inputPath, outputPath } from './args.js';
import { cancelInput } from './commands.js';
import { usage } from './errors.js';
import { openInput } from './io.js';
import { openOutput } from './output.js';
import { hasRecipients, readIdentity, readRecipients } from './recipients.js';

/** docs/RECIPIENTS.md §1: envelope_size is bytes 6..10 of the envelope; an envelope is at most 75,162 bytes. */
const SIZE_AT = 6;
const PREFIX = 10;
const MAX_ENVELOPE = 75_162;

export async function rewrapCommand(args: Args): Promise<void> {
  if (!args.flags.has('identity'))
    throw usage('rewrap needs -i IDENTITY_FILE (an identity that opens IN)', args.command);
  if (!hasRecipients(args)) throw usage('rewrap needs the new recipients: -r KEY or -R FILE', args.command);
  const { identity } = await readIdentity(args);
  const { recipients } = await readRecipients(args);
  const input = await openInput(inputPath(args));
  const reader = input.stream.getReader();
  try {
    let head: Uint8Array = new Uint8Array(0);
    let ended = false;
    const fill = async (n: number) => {
      while (!ended && head.length < n) {
        const { done, value } = await reader.read();
        if (done) ended = true;
        else head = concat(head, value);
      }
    };
    await fill(PREFIX);
    const size = head.length < PREFIX ? head.length : new DataView(head.buffer).getUint32(SIZE_AT);
    // A size past the largest envelope is refused by the library from the prefix alone.
    const envelopeBytes = size > MAX_ENVELOPE ? PREFIX : size;
    await fill(envelopeBytes);
    const fresh = await rewrap(head.subarray(0, Math.min(envelopeBytes, head.length)), identity, recipients);
    const output = await openOutput(outputPath(args), {
      what: 'ciphertext',
      force: hasFlag(args, 'force'),
      mode: 0o666,
    });
    try {
      const writer = output.writable.getWriter();
      await writer.write(fresh);
      if (head.length > size) await writer.write(head.subarray(size));
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await writer.write(value);
      }
      await writer.close();
      await output.commit();
    } catch (e) {
      await output.discard();
      throw e;
    }
  } finally {
    reader.releaseLock();
    await cancelInput(input);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
