/* global window, document, history */
// Served by the UI test harness as /__harness/api.js, before the app's own script. It gives the page the same
// window.api the Electron preload gives it (see Api in src/shared/contract.ts), carried over a same-origin
// WebSocket instead of IPC. The per-run token arrives in the URL fragment (never sent in an HTTP request),
// is kept in sessionStorage so a reload still works, and is removed from the address bar.
(function () {
  'use strict';
  var KEY = 'harness-token';
  var match = /(?:^#|&)harness-token=([0-9a-f]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  var token = sessionStorage.getItem(KEY) || '';

  var socket = null;
  var connecting = null;
  var nextId = 1;
  var pending = new Map();
  var listeners = new Map();

  function failAll(reason) {
    pending.forEach(function (p) {
      p.reject(new Error(reason));
    });
    pending.clear();
  }

  function connect() {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (connecting) return connecting;
    connecting = new Promise(function (resolve, reject) {
      var scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      var ws = new WebSocket(
        scheme + '//' + window.location.host + '/__harness/ws?token=' + encodeURIComponent(token),
      );
      ws.onopen = function () {
        socket = ws;
        connecting = null;
        resolve(ws);
      };
      ws.onerror = function () {
        connecting = null;
        reject(new Error('The test harness refused or lost the connection.'));
      };
      ws.onclose = function () {
        if (socket === ws) socket = null;
        failAll('The test harness connection closed.');
      };
      ws.onmessage = function (ev) {
        var msg = JSON.parse(ev.data);
        if (typeof msg.id === 'number') {
          var p = pending.get(msg.id);
          if (p) {
            pending.delete(msg.id);
            p.resolve(msg.result);
          }
        } else if (typeof msg.event === 'string') {
          (listeners.get(msg.event) || []).slice().forEach(function (l) {
            l(msg.payload);
          });
        }
      };
    });
    return connecting;
  }

  var api = Object.freeze({
    invoke: function (name, input) {
      return connect().then(function (ws) {
        return new Promise(function (resolve, reject) {
          var id = nextId++;
          pending.set(id, { resolve: resolve, reject: reject });
          ws.send(JSON.stringify({ id: id, name: String(name), input: input === undefined ? {} : input }));
        });
      });
    },
    on: function (name, listener) {
      if (typeof listener !== 'function') return function () {};
      var list = listeners.get(name) || [];
      list.push(listener);
      listeners.set(name, list);
      // Events only flow over an open socket: open one even if the page has not called anything yet.
      connect().catch(function () {});
      return function () {
        var l = listeners.get(name) || [];
        var at = l.indexOf(listener);
        if (at >= 0) l.splice(at, 1);
      };
    },
  });
  Object.defineProperty(window, 'api', {
    value: api,
    writable: false,
    configurable: false,
    enumerable: true,
  });
  document.documentElement.dataset.harness = 'connected-by-websocket';
})();
