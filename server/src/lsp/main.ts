// Bundle entry of dist/server.js: the connection transport (--node-ipc, --stdio, --socket=N) comes from argv.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
