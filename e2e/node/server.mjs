// A real @a2a-js/sdk 1.3.0 A2A agent for a2a-proxy's end-to-end tests.
//
// Usage: node server.mjs [--port N] [--legacy] [--step-delay-ms N] [--exit-on-stdin-eof]
//
// Prints exactly one line to stdout once it accepts connections:
//   LISTENING http://127.0.0.1:<port>
// Everything else (SDK logs, request log) goes to stderr.
//
// Routes (same for v1.0 and --legacy; --legacy only adds the v0.3 surface):
//   GET  /.well-known/agent-card.json   agent card (v1.0; with --legacy a v0.3
//                                        card when the request has no A2A-Version
//                                        header or A2A-Version: 0.3)
//   POST /a2a/jsonrpc                    JSON-RPC (v1.0 PascalCase methods;
//                                        with --legacy also v0.3 slash methods)
//   *    /a2a/rest/...                   HTTP+JSON (v1.0: /a2a/rest/message:stream ...;
//                                        with --legacy also /a2a/rest/v1/message:stream ...)
//
// The executor: Task(submitted) -> 3 x status working "step i/3" -> artifact
// "processing_result" = "processed: <text>" -> status completed.
//
// "Agent dies mid-stream": when the user's text is exactly "die", the executor
// publishes the Task and one working status ("step 1/3"), waits one step delay
// so both reach the wire, then destroys the TCP socket of the request that
// started it (no SSE terminator, no chunked-encoding end). The socket is found
// through an AsyncLocalStorage set by a middleware registered before the SDK's
// routers, so this works for every transport (JSON-RPC, REST, v0.3) and the
// server process keeps serving other connections.

import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

import express from 'express';
import { AGENT_CARD_PATH, Role, TaskState } from '@a2a-js/sdk';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import {
  agentCardHandler,
  jsonRpcHandler,
  restHandler,
  UserBuilder,
} from '@a2a-js/sdk/server/express';
import { duplicateInterfacesForLegacy } from '@a2a-js/sdk/compat/v0_3';

// The SDK logs through console.*; keep stdout for the LISTENING line only.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const { values: flags } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    legacy: { type: 'boolean', default: false },
    'step-delay-ms': { type: 'string', default: '20' },
    'exit-on-stdin-eof': { type: 'boolean', default: false },
  },
  strict: true,
});

const port = Number(flags.port);
const stepDelayMs = Number(flags['step-delay-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${flags.port}`);
  process.exit(2);
}
if (!Number.isFinite(stepDelayMs) || stepDelayMs < 0) {
  console.error(`invalid --step-delay-ms ${flags['step-delay-ms']}`);
  process.exit(2);
}
const legacy = flags.legacy;

const JSONRPC_PATH = '/a2a/jsonrpc';
const REST_PATH = '/a2a/rest';
const STEPS = 3;

// The request whose handling is running; lets the executor reach its socket.
const requestScope = new AsyncLocalStorage();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function textPart(text) {
  return {
    content: { $case: 'text', value: text },
    metadata: undefined,
    filename: '',
    mediaType: 'text/plain',
  };
}

function agentMessage(taskId, contextId, text) {
  return {
    messageId: randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [textPart(text)],
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
  };
}

function userText(message) {
  for (const part of message?.parts ?? []) {
    if (part.content?.$case === 'text') return part.content.value;
  }
  return '';
}

function statusUpdate(taskId, contextId, state, message) {
  return AgentEvent.statusUpdate({
    taskId,
    contextId,
    status: { state, message, timestamp: new Date().toISOString() },
    metadata: undefined,
  });
}

class StepAgentExecutor {
  canceled = new Set();

  cancelTask = async (taskId, eventBus) => {
    this.canceled.add(taskId);
    eventBus.publish(statusUpdate(taskId, '', TaskState.TASK_STATE_CANCELED, undefined));
  };

  async execute(ctx, eventBus) {
    const { taskId, contextId } = ctx;
    const userMessage = ctx.userMessage;
    const text = userText(userMessage);
    try {
      // The SDK requires a Task or Message as the first event of every call.
      const task = ctx.task ?? {
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
        artifacts: [],
        history: [userMessage],
        metadata: undefined,
      };
      eventBus.publish(AgentEvent.task(task));

      for (let i = 1; i <= STEPS; i++) {
        if (i > 1 || text === 'die') await sleep(stepDelayMs);
        if (this.canceled.has(taskId)) return;
        eventBus.publish(
          statusUpdate(taskId, contextId, TaskState.TASK_STATE_WORKING, agentMessage(taskId, contextId, `step ${i}/${STEPS}`))
        );
        if (text === 'die') {
          await sleep(Math.max(stepDelayMs, 20)); // let the task + status reach the wire
          const socket = requestScope.getStore()?.socket;
          console.error(`[server] "die": destroying socket of task ${taskId} (${socket ? 'found' : 'NOT FOUND, exiting process'})`);
          if (socket) {
            socket.destroy();
          } else {
            process.exit(3);
          }
          // Never publish another event for this task; the task stays "working".
          await new Promise(() => {});
        }
      }
      await sleep(stepDelayMs);
      if (this.canceled.has(taskId)) return;
      eventBus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: randomUUID(),
            name: 'processing_result',
            description: '',
            parts: [textPart(`processed: ${text}`)],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        })
      );
      eventBus.publish(statusUpdate(taskId, contextId, TaskState.TASK_STATE_COMPLETED, undefined));
    } finally {
      this.canceled.delete(taskId);
    }
  }
}

const app = express();
const server = http.createServer(app);

function shutdown(signal) {
  console.error(`[server] ${signal}: exiting`);
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (flags['exit-on-stdin-eof']) {
  // The Go harness holds our stdin open; if the test binary dies, we go too.
  process.stdin.on('end', () => shutdown('stdin EOF'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume();
}

server.on('error', (err) => {
  console.error(`[server] listen failed: ${err.message}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;

  let supportedInterfaces = [
    { url: `${base}${JSONRPC_PATH}`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
    { url: `${base}${REST_PATH}`, protocolBinding: 'HTTP+JSON', tenant: '', protocolVersion: '1.0' },
  ];
  if (legacy) {
    supportedInterfaces = duplicateInterfacesForLegacy(supportedInterfaces, ['JSONRPC', 'HTTP+JSON']);
  }

  const card = {
    name: 'a2a-proxy e2e step agent',
    description: 'Streams a task through three working steps, an artifact and completion.',
    supportedInterfaces,
    // Not a service URL: a proxy must not need to rewrite it.
    provider: { organization: 'a2a-proxy e2e', url: 'https://a2a-proxy-e2e.invalid/' },
    version: '1.0.0',
    documentationUrl: undefined,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      {
        id: 'process',
        name: 'Process text',
        description: 'Echoes the text back as "processed: <text>" after three steps.',
        tags: ['e2e'],
        examples: ['hello'],
        inputModes: ['text/plain'],
        outputModes: ['text/plain'],
        securityRequirements: [],
      },
    ],
    signatures: [],
    iconUrl: undefined,
  };

  const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new StepAgentExecutor());
  const legacyCompat = legacy ? { legacyCompat: { enabled: true } } : {};

  // Must come before the SDK routers: request log + the socket scope for "die".
  app.use((req, res, next) => {
    console.error(`[server] ${req.method} ${req.originalUrl} A2A-Version=${req.get('A2A-Version') ?? '-'}`);
    requestScope.run({ socket: req.socket }, next);
  });
  app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: requestHandler, ...legacyCompat }));
  app.use(JSONRPC_PATH, jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, ...legacyCompat }));
  app.use(REST_PATH, restHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, ...legacyCompat }));

  process.stdout.write(`LISTENING ${base}\n`);
});
