#!/usr/bin/env node
// Generates vectors.json, the codec test vectors, from the real sc-formatter.
//
// The Go tests only read vectors.json; node is needed only to regenerate it:
//
//   dir=$(mktemp -d) && (cd "$dir" && npm install --no-save sc-formatter@4)
//   NODE_PATH="$dir/node_modules" node testdata/codec/gen-vectors.js
//
// Inputs are described in JSON with tags for what JSON cannot hold:
//   {"$buffer": "<base64>"}       a Node Buffer
//   {"$arraybuffer": "<base64>"}  an ArrayBuffer
//   {"$number": "NaN"}            NaN, Infinity, -Infinity or -0
// Object keys in inputs are kept in sorted order, so that a Go map, whose
// keys encode sorted, yields the same bytes as the JavaScript object.

'use strict';

const fs = require('fs');
const path = require('path');
const formatter = require('sc-formatter');
const formatterVersion = require('sc-formatter/package.json').version;

// ---- inputs -------------------------------------------------------------

const allControls = Array.from({length: 0x20}, (_, i) => String.fromCharCode(i)).join('');

const values = [
  ['empty string', ''],
  ['plain string', 'hello'],
  ['quote and backslash', 'say "hi" \\ bye'],
  ['slash', 'a/b'],
  ['every control character', allControls],
  ['DEL', 'x\x7fy'],
  ['html characters', '<script>&amp;</script>'],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
  ['latin and cjk', 'é ñ 日本語'],
  ['emoji', 'smile 😀 family 👨‍👩‍👧'],
  ['ping lookalike in a value', '#1x'],
  ['zero', 0],
  ['negative zero', {$number: '-0'}],
  ['small integer', 42],
  ['negative integer', -17],
  ['large integer', 123456789012],
  ['max safe integer', 9007199254740991],
  ['two to the 53', 9007199254740992],
  ['fraction', 1.5],
  ['one tenth', 0.1],
  ['one third', 1 / 3],
  ['exponent 1e21', 1e21],
  ['just below 1e21', 999999999999999900000],
  ['exponent 1e-7', 1e-7],
  ['1e-6', 1e-6],
  ['negative small exponent', -1.25e-10],
  ['large exponent', 1.7976931348623157e308],
  ['smallest subnormal', 5e-324],
  ['NaN', {$number: 'NaN'}],
  ['Infinity', {$number: 'Infinity'}],
  ['-Infinity', {$number: '-Infinity'}],
  ['true', true],
  ['false', false],
  ['null', null],
  ['empty object', {}],
  ['empty array', []],
  ['nested arrays', [[[]], [1, [2, [3]]]]],
  ['nested object', {a: [1, {b: null, c: 'x'}], d: {e: {f: true}}, g: -0.5}],
  ['special floats nested', {a: {$number: 'NaN'}, b: [{$number: 'Infinity'}, {$number: '-0'}]}],
  ['unicode keys', {'<k>': 1, 'a\u2028': 2, 'é': 3, '😀': 4}],
  ['key with escapes', {'a"b': 1, 'c\\d': 2, 'e\nf': 3}],
  ['buffer at top level', {$buffer: 'aGk='}],
  ['empty buffer', {$buffer: ''}],
  ['buffer of one byte', {$buffer: '/w=='}],
  ['buffer of two bytes', {$buffer: 'AAE='}],
  ['buffer with all base64 characters', {$buffer: '++//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g'}],
  ['array buffer', {$arraybuffer: 'AQID'}],
  ['buffer nested in object', {b: {$buffer: 'aGk='}, n: 1}],
  ['buffer nested in array', [1, {$buffer: 'AQID'}, [{$buffer: 'BAU='}]]],
  ['buffer deep', {a: {b: {c: [{$buffer: 'AA=='}]}}}],
  ['Buffer.toJSON shape', {data: [104, 105], type: 'Buffer'}],
  ['Buffer.toJSON shape with odd elements', {data: [256, -1, 1.7, -1.7, '3', ' 12 ', '0x10', 'zz', null, true, false, 300.5, {$number: 'NaN'}], type: 'Buffer'}],
  ['Buffer.toJSON shape with extra keys', {data: [1, 2], extra: 'dropped', type: 'Buffer'}],
  ['Buffer.toJSON shape nested', {payload: {data: [0, 255], type: 'Buffer'}}],
  ['Buffer.toJSON shape with empty data', {data: [], type: 'Buffer'}],
  ['Buffer type without array data', {data: 'AQID', type: 'Buffer'}],
  ['other type with array data', {data: [1, 2], type: 'buffer'}],
  ['sc-errors style error', {code: 42, message: 'Bad things', name: 'CustomError'}],
];

const packets = [
  ['transmit', {event: 'chat', data: {text: 'hi'}}],
  ['transmit without data', {event: 'noData'}],
  ['transmit with null data', {event: 'nullData', data: null}],
  ['invoke', {event: 'echo', data: [1, 'two', {three: 3}], cid: 7}],
  ['invoke without data', {event: '#handshake', cid: 1}],
  ['subscribe', {event: '#subscribe', data: {channel: 'foo'}, cid: 2}],
  ['publish with binary', {event: '#publish', data: {channel: 'files', data: {$buffer: 'AQID'}}}],
  ['event name with escapes', {event: 'a"b\\c\n\u0001</>\u2028😀', data: 1}],
  ['empty event name', {event: '', data: 'x'}],
  ['large call id', {event: 'big', data: 0, cid: 9007199254740991}],
  ['response with data', {rid: 3, data: {ok: true}}],
  ['response without data', {rid: 4}],
  ['error response', {rid: 5, error: {message: 'Not allowed', name: 'InvalidActionError'}}],
  ['string error response', {rid: 6, error: 'str error'}],
  ['response with binary', {rid: 7, data: {$buffer: 'aGVsbG8='}}],
];

const batches = [
  ['batch of two', [{event: 'b1', data: 1}, {event: 'b2', data: 2}]],
  ['mixed batch', [{event: '#subscribe', data: {channel: 'foo'}, cid: 2}, {event: 'foo', data: 1}, {rid: 9, data: 'ok'}]],
];

const deep = (n) => '['.repeat(n) + ']'.repeat(n);

const frames = [
  ['ping v1', '#1'],
  ['pong v1', '#2'],
  ['empty frame', ''],
  ['only whitespace', ' \n\t\r '],
  ['plain text', 'hello world'],
  ['number text', '123'],
  ['JSON string text', '"123"'],
  ['null text', 'null'],
  ['quoted JSON string', '"\\"x\\""'],
  ['true text', 'true'],
  ['transmit', '{"event":"chat","data":{"text":"hi"}}'],
  ['transmit without data', '{"event":"noData"}'],
  ['transmit with null data', '{"event":"x","data":null}'],
  ['invoke', '{"event":"echo","data":"x","cid":2}'],
  ['server key order invoke', '{"event":"#setAuthToken","cid":1,"data":{"token":"abc"}}'],
  ['publish', '{"event":"#publish","data":{"channel":"foo","data":{"n":1}}}'],
  ['kick out', '{"event":"#kickOut","data":{"channel":"foo","message":"bye"}}'],
  ['response', '{"rid":1,"data":{"id":"abc","pingTimeout":5000,"isAuthenticated":false}}'],
  ['response without data', '{"rid":3}'],
  ['error response', '{"rid":2,"error":{"message":"Not allowed","name":"InvalidActionError"}}'],
  ['false error with data', '{"rid":2,"error":false,"data":"fine"}'],
  ['string cid is a transmit', '{"event":"echo","data":"x","cid":"str"}'],
  ['string rid is raw', '{"rid":"1","data":1}'],
  ['null cid', '{"event":"x","cid":null}'],
  ['event not a string with rid', '{"event":5,"rid":3,"data":1}'],
  ['event and rid', '{"event":"x","rid":3}'],
  ['empty object', '{}'],
  ['object without packet keys', '{"foo":1}'],
  ['cid 1.0', '{"event":"x","cid":1.0}'],
  ['cid 1e2', '{"event":"x","cid":1e2}'],
  ['cid 1.5', '{"event":"x","cid":1.5}'],
  ['cid -1', '{"event":"x","cid":-1}'],
  ['cid 0', '{"event":"x","cid":0}'],
  ['cid -0', '{"event":"x","cid":-0}'],
  ['rid 25E-1', '{"rid":25E-1}'],
  ['rid 2.50e1', '{"rid":2.50e1}'],
  ['rid 1e300', '{"rid":1e300}'],
  ['rid beyond 2^53', '{"rid":9007199254740993}'],
  ['leading whitespace', ' \n\r\t{"event":"x","data":1}'],
  ['trailing whitespace', '{"event":"x","data":1} \n\r\t'],
  ['leading form feed', '\f{"event":"x"}'],
  ['leading no-break space', '\u00a0{"event":"x"}'],
  ['leading byte order mark', '\ufeff{"event":"x"}'],
  ['trailing garbage', '{"event":"x"}x'],
  ['two objects', '{"event":"x"}{"event":"y"}'],
  ['whitespace everywhere', '{ "event" : "x" , "data" : [ 1 , { "a" : 2 } ] , "cid" : 3 }'],
  ['unterminated object', '{"event":"x"'],
  ['trailing comma in object', '{"event":"x",}'],
  ['trailing comma in array', '[{"event":"x"},]'],
  ['leading zero', '{"event":"x","data":01}'],
  ['negative leading zero', '{"event":"x","data":-01}'],
  ['dot without digits', '{"event":"x","data":1.}'],
  ['leading dot', '{"event":"x","data":.5}'],
  ['plus sign', '{"event":"x","data":+1}'],
  ['bare minus', '{"event":"x","data":-}'],
  ['exponent without digits', '{"event":"x","data":1e}'],
  ['exponent sign without digits', '{"event":"x","data":1e+}'],
  ['single quotes', "{'event':'x'}"],
  ['unknown escape', '{"event":"x","data":"\\x"}'],
  ['short unicode escape', '{"event":"x","data":"\\u12"}'],
  ['raw tab in string', '{"event":"x","data":"a\tb"}'],
  ['raw newline in string', '{"event":"x\n"}'],
  ['NaN literal', '{"event":"x","data":NaN}'],
  ['Infinity literal', '{"event":"x","data":Infinity}'],
  ['truncated literal', '{"event":"x","data":tru}'],
  ['literal with suffix', '{"event":"x","data":nulls}'],
  ['missing colon', '{"event" "x"}'],
  ['unbalanced close', '{"event":"x"}}'],
  ['mismatched brackets', '{"event":"x","data":[1}]'],
  ['unterminated array', '['],
  ['unquoted key', '{event:"x"}'],
  ['comment', '{"event":"x"/*c*/}'],
  ['empty array', '[]'],
  ['batch', '[{"event":"b1","data":1},{"event":"b2","data":2,"cid":3}]'],
  ['handshake batch', '[{"event":"#handshake","cid":1},{"event":"echo","data":5,"cid":2}]'],
  ['batch with non-packets', '[1,"x",null,{"rid":2,"data":true},[],{"foo":1}]'],
  ['nested batch is raw', '[[{"event":"a"}]]'],
  ['batch with whitespace', ' [ {"event":"a"} , {"rid":1} ] '],
  ['broken batch', '[{"event":"a"},{"event":}]'],
  ['duplicate event last wins', '{"event":"a","event":"b","data":1}'],
  ['duplicate event last not string', '{"event":"a","event":1,"data":1}'],
  ['duplicate cid last is string', '{"cid":1,"event":"x","cid":"s"}'],
  ['duplicate data last wins', '{"event":"x","data":1,"data":2}'],
  ['duplicate rid last null', '{"rid":1,"rid":null}'],
  ['escaped event name', '{"event":"\\u0023publish","data":{"channel":"c","data":1}}'],
  ['escaped key', '{"\\u0065vent":"x","d\\u0061ta":2}'],
  ['event with every escape', '{"event":"q\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\\u00e9\\u2028"}'],
  ['event with surrogate pair', '{"event":"\\ud83d\\ude00"}'],
  ['event with lone high surrogate', '{"event":"a\\ud83db"}'],
  ['event with lone low surrogate', '{"event":"a\\ude00b"}'],
  ['event with reversed surrogates', '{"event":"\\ude00\\ud83d"}'],
  ['event with raw unicode', '{"event":"日本 😀 \u2028"}'],
  ['data with every value kind', '{"event":"x","data":{"s":"a\\"b","n":-1.5e-3,"t":true,"f":false,"z":null,"a":[[],{}],"u":"\\u2028<>&"}}'],
  ['data is the base64 object', '{"event":"x","data":{"base64":true,"data":"AQID"}}'],
  ['deep but fine', '{"event":"x","data":' + deep(200) + '}'],
  ['numbers in data', '{"event":"x","data":[0,-0,1E5,1e-5,123456789012345678901234567890,0.1]}'],
];

// ---- helpers ------------------------------------------------------------

function revive(desc) {
  if (Array.isArray(desc)) {
    return desc.map(revive);
  }
  if (desc && typeof desc === 'object') {
    const keys = Object.keys(desc);
    if (keys.length === 1 && keys[0] === '$buffer') {
      return Buffer.from(desc.$buffer, 'base64');
    }
    if (keys.length === 1 && keys[0] === '$arraybuffer') {
      const b = Buffer.from(desc.$arraybuffer, 'base64');
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
    }
    if (keys.length === 1 && keys[0] === '$number') {
      return desc.$number === '-0' ? -0 : Number(desc.$number);
    }
    const sorted = [...keys].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    if (sorted.join('\0') !== keys.join('\0')) {
      throw new Error('input keys must be in sorted (byte) order: ' + keys.join(', '));
    }
    const out = {};
    for (const k of keys) {
      out[k] = revive(desc[k]);
    }
    return out;
  }
  return desc;
}

function revivePacket(desc) {
  // The JavaScript client's key order: event, data, cid; rid, data, error.
  const out = {};
  for (const k of ['event', 'rid', 'data', 'error', 'cid']) {
    if (k in desc) {
      out[k] = (k === 'data' || k === 'error') ? revive(desc[k]) : desc[k];
    }
  }
  return out;
}

function isObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

// classify mirrors how the client sorts an inbound packet (protocol §5.2).
function classify(el) {
  if (isObject(el) && typeof el.event === 'string') {
    const p = {kind: typeof el.cid === 'number' ? 'request' : 'event', event: el.event};
    if (typeof el.cid === 'number') p.cid = el.cid;
    if ('data' in el) p.data = el.data;
    return p;
  }
  if (isObject(el) && typeof el.rid === 'number') {
    const p = {kind: 'response', rid: el.rid};
    if ('data' in el) p.data = el.data;
    if ('error' in el) p.error = el.error;
    return p;
  }
  return {kind: 'raw'};
}

// ---- generation ---------------------------------------------------------

const encode = [];
for (const [name, input] of values) {
  encode.push({name, input, expected: formatter.encode(revive(input))});
}
for (const [name, packet] of packets) {
  encode.push({name: 'packet: ' + name, packet, expected: formatter.encode(revivePacket(packet))});
}
for (const [name, batch] of batches) {
  encode.push({name: 'batch: ' + name, batch, expected: formatter.encode(batch.map(revivePacket))});
}

const decode = [];
for (const [name, frame] of frames) {
  const value = formatter.decode(frame);
  let result;
  let pkts;
  if (typeof value === 'string') {
    result = {type: 'string'};
    pkts = [{kind: 'raw'}];
  } else {
    result = {type: 'json', value};
    pkts = Array.isArray(value) ? value.map(classify) : [classify(value)];
  }
  decode.push({name, frame, result, packets: pkts});
}

const out = {
  comment: 'Generated by gen-vectors.js from sc-formatter; do not edit by hand.',
  scFormatter: formatterVersion,
  encode,
  decode,
};
fs.writeFileSync(path.join(__dirname, 'vectors.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${encode.length} encode and ${decode.length} decode vectors`);
