#!/usr/bin/env node
'use strict';
/*
 * Minimal node-smpp client over TLS, for tls-selftest.sh:
 *
 *   node tests/interop/tls-client.js --port P --ca FILE [--cert FILE --key FILE]
 *        [--host 127.0.0.1] [--servername NAME] [--system-id X --password Y]
 *
 * Connects with node-smpp's own TLS support (smpp.connect({url: 'ssmpp://host:port',
 * ...tls.connect options})), verifying the server against --ca, optionally presenting
 * a client certificate; binds transceiver (interface_version 0x34), sends one
 * submit_sm, waits for its response, unbinds and waits for the server to close. Prints one JSON line:
 *   {"ok":true,"protocol":"TLSv1.3","cipher":...,"bind_status":0,"submit_status":0,
 *    "message_id":"2871-1"}
 * or {"ok":false,"stage":"connect|bind|submit|unbind","error":...,"code":...} and exits 1.
 * Bad arguments exit 2. Gives up after 15 s.
 */

var smpp = require('smpp');
var fs = require('fs');

var opts = {host: '127.0.0.1', port: null, ca: null, cert: null, key: null, servername: null,
	systemId: 'tlstest', password: 'secret'};
(function parseArgs(argv) {
	for (var i = 0; i < argv.length; i++) {
		var a = argv[i];
		var next = function() {
			if (i + 1 >= argv.length) usage('missing value for ' + a);
			return argv[++i];
		};
		if (a === '--host') opts.host = next();
		else if (a === '--port') opts.port = parseInt(next(), 10);
		else if (a === '--ca') opts.ca = next();
		else if (a === '--cert') opts.cert = next();
		else if (a === '--key') opts.key = next();
		else if (a === '--servername') opts.servername = next();
		else if (a === '--system-id') opts.systemId = next();
		else if (a === '--password') opts.password = next();
		else usage('unknown argument ' + a);
	}
	if (!(opts.port > 0 && opts.port <= 65535)) usage('bad or missing --port');
	if (!opts.ca) usage('--ca is required');
	if (!!opts.cert !== !!opts.key) usage('--cert and --key go together');
})(process.argv.slice(2));

function usage(msg) {
	process.stderr.write('tls-client.js: ' + msg + '\n');
	process.exit(2);
}

var stage = 'connect';
var result = {ok: false};
var done = false;
function finish(ok, err) {
	if (done) return;
	done = true;
	result.ok = ok;
	if (!ok) {
		result.stage = stage;
		result.error = String(err && err.message || err);
		result.code = (err && err.code) || null;
	}
	process.stdout.write(JSON.stringify(result) + '\n');
	process.exit(ok ? 0 : 1);
}
setTimeout(function() { finish(false, new Error('timeout after 15 s')); }, 15000).unref();

var tlsOpts = {
	url: 'ssmpp://' + opts.host + ':' + opts.port,
	ca: fs.readFileSync(opts.ca),
	rejectUnauthorized: true
};
if (opts.cert) {
	tlsOpts.cert = fs.readFileSync(opts.cert);
	tlsOpts.key = fs.readFileSync(opts.key);
}
if (opts.servername) tlsOpts.servername = opts.servername;

var session = smpp.connect(tlsOpts, function() {
	// 'secureConnect': handshake done and the server certificate verified.
	var sock = session.socket;
	result.protocol = sock.getProtocol();
	result.cipher = (sock.getCipher() || {}).name || null;
	stage = 'bind';
	session.bind_transceiver({system_id: opts.systemId, password: opts.password,
		interface_version: 0x34}, function(pdu) {
		result.bind_status = pdu.command_status;
		if (pdu.command_status !== 0) return finish(false, new Error('bind refused: ' + pdu.command_status));
		stage = 'submit';
		session.submit_sm({destination_addr: '447700900123', data_coding: 0,
			short_message: 'hello over tls'}, function(resp) {
			result.submit_status = resp.command_status;
			result.message_id = resp.message_id;
			if (resp.command_status !== 0) return finish(false, new Error('submit refused: ' + resp.command_status));
			stage = 'unbind';
			// the SMSC closes the connection after unbind_resp; finish on that close
			session.unbind(function(u) { result.unbind_status = u.command_status; stage = 'closing'; });
		});
	});
});
session.on('error', function(e) { finish(false, e); });
session.on('close', function() {
	if (stage === 'closing') finish(true);
	else finish(false, new Error('connection closed by the server'));
});
