// A real @a2a-js/sdk 1.3.0 A2A client for a2a-proxy's end-to-end tests.
//
// Usage: node client.mjs --url BASE --text T [--transport jsonrpc|rest|legacy] [--unary] [--format sdk|wire]
//
//   --url BASE     agent base URL; the card is discovered from it exactly as the SDK
//                  does it: new URL('.well-known/agent-card.json', BASE) (so a BASE
//                  with a path needs a trailing slash to keep that path).
//   --transport    jsonrpc (default) | rest: v1.0 ClientFactory with only that
//                  transport factory and DefaultAgentCardResolver (sends A2A-Version: 1.0).
//                  legacy: a pure v0.3 client. The card is fetched without an
//                  A2A-Version header, the JSON-RPC URL is read from its v0.3 fields
//                  (url/preferredTransport, additionalInterfaces) and
//                  LegacyJsonRpcTransport from @a2a-js/sdk/compat/v0_3/client is used
//                  directly (no Client wrapper, so no A2A-Version header either).
//   --unary        sendMessage (blocking) instead of sendMessageStream.
//   --format       sdk (default): each line is JSON.stringify of exactly what the SDK
//                  yielded/returned (a v1.0 StreamResponse {"payload":{"$case":..,"value":..}},
//                  enums as numbers; for --unary the bare Task or Message).
//                  wire: the same object through the SDK's proto-JSON toJSON
//                  (StreamResponse/Task/Message), i.e. the v1.0 wire shape
//                  {"task":{...,"status":{"state":"TASK_STATE_SUBMITTED"}}}.
//
// stdout: one line per received event, then "DONE"; on failure "ERROR <message>"
//         and exit code 1. Nothing else is written to stdout.
// stderr: "FETCH <METHOD> <URL>" for every HTTP request the SDK makes (the fetch
//         implementation is injected into the resolver and every transport), then
//         "FETCH-RESPONSE <status> <content-type> <URL>"; plus diagnostics.

import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';

import { Message, Role, StreamResponse, Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';

// The SDK may log through console.*; stdout is reserved for events.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const out = (line) => process.stdout.write(line + '\n');
const err = (line) => process.stderr.write(line + '\n');

function finish(code) {
  process.exitCode = code;
  // Flush stdout before leaving; keep-alive sockets must not keep us alive.
  process.stdout.write('', () => process.exit(code));
}

function oneLine(s) {
  return String(s).replace(/\s*\n\s*/g, ' ').trim();
}

function errorMessage(e) {
  if (!(e instanceof Error)) return oneLine(e);
  let msg = e.message || e.name;
  let cause = e.cause;
  for (let depth = 0; cause && depth < 3; depth++) {
    const c = cause instanceof Error ? cause.message || cause.name : String(cause);
    if (c && !msg.includes(c)) msg += `: ${c}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return oneLine(msg);
}

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      url: { type: 'string' },
      text: { type: 'string', default: 'hello' },
      transport: { type: 'string', default: 'jsonrpc' },
      unary: { type: 'boolean', default: false },
      format: { type: 'string', default: 'sdk' },
    },
    strict: true,
  }));
  if (!flags.url) throw new Error('--url is required');
  if (!['jsonrpc', 'rest', 'legacy'].includes(flags.transport)) {
    throw new Error(`--transport must be jsonrpc, rest or legacy, got ${flags.transport}`);
  }
  if (!['sdk', 'wire'].includes(flags.format)) throw new Error(`--format must be sdk or wire, got ${flags.format}`);
} catch (e) {
  out(`ERROR ${errorMessage(e)}`);
  finish(2);
}

function describeInput(input) {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (input && typeof input.url === 'string') return input.url; // Request
  return String(input);
}

// Logs every call the SDK makes, then delegates to the global fetch.
async function loggingFetch(input, init) {
  const method = (init?.method ?? (input && typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
  const url = describeInput(input);
  err(`FETCH ${method} ${url}`);
  const res = await fetch(input, init);
  err(`FETCH-RESPONSE ${res.status} ${res.headers.get('content-type') ?? '-'} ${url}`);
  return res;
}

function jsonReplacer(_key, value) {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

function render(value, kind) {
  if (flags.format === 'wire') {
    if (kind === 'stream') value = StreamResponse.toJSON(value);
    else if (value && 'messageId' in value) value = Message.toJSON(value);
    else value = Task.toJSON(value);
  }
  return JSON.stringify(value, jsonReplacer);
}

function buildRequest(text, legacyTransport) {
  return {
    tenant: '',
    message: {
      messageId: randomUUID(),
      contextId: '',
      taskId: '',
      role: Role.ROLE_USER,
      parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    // The v1.0 Client fills this in itself (applyClientConfig); the bare legacy
    // transport does not, and for message/send we want blocking: true.
    configuration:
      legacyTransport && flags.unary
        ? { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: false }
        : undefined,
    metadata: undefined,
  };
}

// A pure v0.3 discovery: no A2A-Version header, v0.3 card fields only.
async function legacyTransportFromCard(base) {
  const cardUrl = new URL('.well-known/agent-card.json', base);
  const res = await loggingFetch(cardUrl.href, { method: 'GET', headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`Failed to fetch Agent Card from ${cardUrl.href}: ${res.status}`);
  const card = await res.json();
  let endpoint;
  if (typeof card.url === 'string' && (card.preferredTransport ?? 'JSONRPC').toUpperCase() === 'JSONRPC') {
    endpoint = card.url;
  } else {
    endpoint = (card.additionalInterfaces ?? []).find((i) => String(i.transport).toUpperCase() === 'JSONRPC')?.url;
  }
  if (!endpoint) {
    throw new Error(`agent card at ${cardUrl.href} is not a v0.3 card with a JSONRPC interface`);
  }
  err(`CARD v0.3 protocolVersion=${card.protocolVersion ?? '-'} jsonrpc=${endpoint}`);
  return new LegacyJsonRpcTransport({ endpoint, fetchImpl: loggingFetch });
}

async function v1Client(base, transport) {
  const factory =
    transport === 'rest'
      ? new RestTransportFactory({ fetchImpl: loggingFetch })
      : new JsonRpcTransportFactory({ fetchImpl: loggingFetch });
  const options = ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    cardResolver: new DefaultAgentCardResolver({ fetchImpl: loggingFetch }),
    preferredTransports: [transport === 'rest' ? 'HTTP+JSON' : 'JSONRPC'],
  });
  // createFrom merges transports with the defaults; use ours alone so the client
  // can only ever speak the transport that was asked for.
  options.transports = [factory];
  const client = await new ClientFactory(options).createFromUrl(base);
  err(`CLIENT transport=${client.transport.protocolName} version=${client.protocolVersion}`);
  return client;
}

async function main() {
  // Either a v1.0 Client or the bare v0.3 transport: both have sendMessage/sendMessageStream.
  const legacy = flags.transport === 'legacy';
  const peer = legacy ? await legacyTransportFromCard(flags.url) : await v1Client(flags.url, flags.transport);
  const request = buildRequest(flags.text, legacy);
  if (flags.unary) {
    const result = await peer.sendMessage(request);
    out(render(result, 'unary'));
  } else {
    for await (const event of peer.sendMessageStream(request)) {
      out(render(event, 'stream'));
    }
  }
  out('DONE');
}

if (flags) {
  main().then(
    () => finish(0),
    (e) => {
      err(`client error: ${e?.stack ?? e}`);
      out(`ERROR ${errorMessage(e)}`);
      finish(1);
    }
  );
}
