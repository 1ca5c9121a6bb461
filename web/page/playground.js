// The playground's page script (docs/views.md, "The playground"). Everything the simulator
// says comes from the WebAssembly module (web/bindings.cpp): the loader's errors, the trace,
// the SVG diagram, the capture, the steps and their narration. This script only edits the
// scenario's JSON text (knobs, fault rules), calls the module, and shows what it returns.
(function () {
  'use strict';

  // Top-level keys in the order of docs/scenario-format.md, for keys this page adds.
  var KEY_ORDER = ['tcpsim', 'name', 'description', 'seed', 'link', 'hosts', 'faults',
                   'timeline', 'stop_at', 'event_budget', 'memory_budget', 'expect'];
  var LINE_LIMIT = 120;  // a JSON object stays on one line when it fits (as in scenarios/)
  var FAULT_ACTIONS = ['drop', 'delay', 'duplicate'];

  var tcpsim = null;  // the module
  var shipped = [];   // [{file, name, text, summary, description}]
  var catalogue = [];
  var knobTable = [];
  var state = {
    entry: null,       // the shipped scenario being edited
    result: null,      // the last successful run of the editor's text
    steps: null,       // its --html steps (views/html.cpp)
    current: 0,        // the step shown
    stale: false,      // the editor's text does not load: the diagram is the last good run
    history: [],       // editor texts before each change made by a control
    pinned: null,      // {title, text, file, seed, result, steps}: pane A
    timer: null,       // autoplay
    moduleMs: 0,
    loadMs: 0,         // the page ready, its first scenario run and drawn
    runs: 0
  };

  function byId(id) { return document.getElementById(id); }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // ---------------------------------------------------------------- the scenario as JSON
  // Big integers would lose digits through JSON.parse (seeds go up to 2^64 - 1): such a text is
  // edited by hand only.
  function unsafeNumber(text) {
    var inString = false;
    for (var i = 0; i < text.length; ++i) {
      var c = text[i];
      if (inString) {
        if (c === '\\') ++i;
        else if (c === '"') inString = false;
      } else if (c === '"') {
        inString = true;
      } else if (/[0-9]/.test(c)) {
        var start = i;
        while (i + 1 < text.length && /[0-9.eE+-]/.test(text[i + 1])) ++i;
        var token = text.slice(start, i + 1);
        if (/^[0-9]+$/.test(token) && !Number.isSafeInteger(Number(token))) return token;
      }
    }
    return null;
  }

  function inlineJson(value) {
    if (Array.isArray(value)) return '[' + value.map(inlineJson).join(', ') + ']';
    if (value !== null && typeof value === 'object') {
      var keys = Object.keys(value);
      if (!keys.length) return '{}';
      return '{ ' + keys.map(function (key) {
        return JSON.stringify(key) + ': ' + inlineJson(value[key]);
      }).join(', ') + ' }';
    }
    return JSON.stringify(value);
  }

  // The shipped files' layout: the top level and arrays of objects one item per line, anything
  // else on one line when it fits.
  function formatJson(value, indent, used) {
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    var objects = Array.isArray(value) && value.some(function (item) {
      return item !== null && typeof item === 'object';
    });
    var flat = inlineJson(value);
    if (indent > 0 && !objects && (Array.isArray(value) || used + flat.length <= LINE_LIMIT)) {
      return flat;
    }
    var pad = new Array(indent + 1).join(' ');
    var inner = pad + '  ';
    if (Array.isArray(value)) {
      if (!value.length) return '[]';
      return '[\n' + value.map(function (item) {
        return inner + formatJson(item, indent + 2, inner.length);
      }).join(',\n') + '\n' + pad + ']';
    }
    var keys = Object.keys(value);
    if (!keys.length) return '{}';
    return '{\n' + keys.map(function (key) {
      var head = inner + JSON.stringify(key) + ': ';
      return head + formatJson(value[key], indent + 2, head.length);
    }).join(',\n') + '\n' + pad + '}';
  }

  // `object` with `key` set to `value`, a new key placed where the format's order puts it.
  function withKey(object, key, value) {
    if (key in object || KEY_ORDER.indexOf(key) < 0) {
      object[key] = value;
      return object;
    }
    var out = {};
    var placed = false;
    Object.keys(object).forEach(function (existing) {
      var rank = KEY_ORDER.indexOf(existing);
      if (!placed && rank > KEY_ORDER.indexOf(key)) { out[key] = value; placed = true; }
      out[existing] = object[existing];
    });
    if (!placed) out[key] = value;
    return out;
  }

  // The editor's scenario as an object to change, or null (and why) when it cannot be.
  function editableScenario() {
    if (state.stale) {
      setStatus('error', 'Fix the error in the scenario first: the buttons change the text ' +
                'that loads.');
      return null;
    }
    var text = byId('editor').value;
    var big = unsafeNumber(text);
    if (big) {
      setStatus('error', 'The number ' + big + ' is too large for the buttons to rewrite ' +
                'exactly; edit the text by hand.');
      return null;
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;  // the loader reported it already
    }
  }

  // ---------------------------------------------------------------- running
  function runEditor() {
    var editor = byId('editor');
    var result = tcpsim.run(editor.value, state.entry.file, byId('seed').value.trim(),
                            byId('lang').value, '');
    state.runs += 1;
    if (!result.ok) {
      showLoadError(result.error);
      document.body.setAttribute('data-runs', String(state.runs));
      return;
    }
    state.stale = false;
    state.result = result;
    state.steps = JSON.parse(result.steps);
    state.current = state.steps.steps.length - 1;
    stopPlaying();
    showEditorGood();
    renderAll();
  }

  function runPinned(pinned) {
    var result = tcpsim.run(pinned.text, pinned.file, pinned.seed, byId('lang').value, 'a-');
    pinned.result = result.ok ? result : null;
    pinned.steps = result.ok ? JSON.parse(result.steps) : null;
    pinned.error = result.ok ? null : result.error.text;
  }

  // A change made by a control: remembered for undo, then run.
  function changeText(text) {
    var editor = byId('editor');
    if (text === editor.value) return;
    state.history.push(editor.value);
    editor.value = text;
    updateGutter();
    byId('undo').disabled = false;
    runEditor();
  }

  function loadScenario(file) {
    var entry = shipped.filter(function (item) { return item.file === file; })[0] || shipped[0];
    state.entry = entry;
    state.history = [];
    byId('undo').disabled = true;
    byId('scenario').value = entry.file;
    byId('editor').value = entry.text;
    byId('editor').scrollTop = 0;
    updateGutter();
    try { history.replaceState(null, '', '#' + entry.name); } catch (e) { /* file: URLs */ }
    runEditor();
  }

  // ---------------------------------------------------------------- the editor
  function updateGutter(badLine) {
    var lines = byId('editor').value.split('\n').length;
    var gutter = byId('gutter');
    clear(gutter);
    for (var line = 1; line <= lines; ++line) {
      var number = element('div', line === badLine ? 'pg-bad' : '', String(line));
      number.setAttribute('data-line', String(line));
      gutter.appendChild(number);
    }
    gutter.scrollTop = byId('editor').scrollTop;
  }

  function setStatus(kind, text) {
    var status = byId('editor-status');
    status.className = 'pg-editor-status' + (kind ? ' pg-' + kind : '');
    status.textContent = text;
  }

  // The character index of (line, column): the loader counts columns in bytes of UTF-8.
  function offsetOf(text, line, column) {
    var lines = text.split('\n');
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; ++i) offset += lines[i].length + 1;
    var here = lines[Math.min(line, lines.length) - 1] || '';
    var bytes = 0;
    var index = 0;
    while (index < here.length && bytes < column - 1) {
      var code = here.codePointAt(index);
      bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      index += code >= 0x10000 ? 2 : 1;
    }
    return offset + index;
  }

  function showLoadError(error) {
    state.stale = true;
    document.body.classList.add('pg-stale');
    var where = error.line ? 'line ' + error.line + ', column ' + error.column + ': ' : '';
    var path = error.path && error.path !== '$' ? ' (at ' + error.path + ')' : '';
    setStatus('error', where + error.message + path);
    var status = byId('editor-status');
    status.setAttribute('data-line', error.line ? String(error.line) : '');
    status.setAttribute('data-column', error.column ? String(error.column) : '');
    status.title = error.text;
    updateGutter(error.line);
    byId('outcome').setAttribute('data-outcome', 'error');
    setDownloadsEnabled(false);
  }

  function showEditorGood() {
    document.body.classList.remove('pg-stale');
    var status = byId('editor-status');
    status.removeAttribute('data-line');
    status.removeAttribute('data-column');
    status.title = '';
    var edited = byId('editor').value !== state.entry.text;
    setStatus('good', 'Loads and runs' + (edited ? ' (changed from the shipped file)' : '') +
              '.');
    updateGutter();
    setDownloadsEnabled(true);
  }

  function goToPosition(line, column) {
    var editor = byId('editor');
    var at = offsetOf(editor.value, line, column || 1);
    editor.focus();
    editor.setSelectionRange(at, at);
    var lineHeight = 16;
    editor.scrollTop = Math.max(0, (line - 5) * lineHeight);
    byId('gutter').scrollTop = editor.scrollTop;
  }

  // ---------------------------------------------------------------- knobs
  function knobControl(knob) {
    var control;
    if (knob.type === 'boolean' || knob.type === 'choice') {
      control = element('select');
      control.appendChild(new Option('as profile', ''));
      var values = knob.type === 'boolean' ? ['true', 'false'] : knob.choices;
      values.forEach(function (value) { control.appendChild(new Option(value, value)); });
      control.appendChild(new Option('differs per host', 'mixed'));
      control.lastChild.disabled = true;
    } else {
      control = element('input');
      control.placeholder = 'as profile';
      if (knob.type === 'duration') {
        control.setAttribute('list', 'durations');
      }
    }
    control.id = 'knob-' + knob.name;
    control.title = knob.doc.replace(/`/g, '');
    control.addEventListener('change', function () { setKnob(knob, control.value.trim()); });
    return control;
  }

  // The JSON value of a knob setting, as the scenario format spells it.
  function knobJson(knob, text) {
    if (knob.type === 'boolean') return text === 'true';
    if (knob.type === 'integer_or_word' && /^[0-9]+$/.test(text)) return Number(text);
    if (knob.type === 'integer' && /^[0-9]+$/.test(text)) return Number(text);
    return text;
  }

  function setKnob(knob, text) {
    if (text === 'mixed') return;
    var scenario = editableScenario();
    if (!scenario) { renderKnobs(); return; }
    (scenario.hosts || []).forEach(function (host) {
      var tcp = host.tcp || {};
      if (text === '') delete tcp[knob.name];
      else tcp[knob.name] = knobJson(knob, text);
      if (Object.keys(tcp).length) host.tcp = tcp;
      else delete host.tcp;
    });
    changeText(formatJson(scenario, 0, 0) + '\n');
  }

  function setLoss(text) {
    var scenario = editableScenario();
    if (!scenario) { renderKnobs(); return; }
    var link = scenario.link || {};
    if (text === '' || Number(text) === 0) delete link.loss;
    else link.loss = /^[0-9.]+$/.test(text) ? Number(text) : text;  // the loader judges it
    scenario = withKey(scenario, 'link', link);
    if (!Object.keys(link).length) delete scenario.link;
    changeText(formatJson(scenario, 0, 0) + '\n');
  }

  function renderKnobs() {
    var table = byId('knobs');
    clear(table);
    var result = state.result;
    var scenario = null;
    try { scenario = JSON.parse(byId('editor').value); } catch (e) { scenario = null; }
    knobTable.forEach(function (knob) {
      var row = element('tr');
      row.setAttribute('data-knob', knob.name);
      var name = element('td');
      name.appendChild(element('div', 'pg-knob-name', knob.name));
      name.title = knob.doc.replace(/`/g, '');
      row.appendChild(name);
      var cell = element('td');
      var control = knobControl(knob);
      cell.appendChild(control);
      row.appendChild(cell);
      var values = element('div', 'pg-knob-values');
      name.appendChild(values);
      var explicit = [];
      if (result) {
        result.hosts.forEach(function (host, index) {
          var spec = scenario && scenario.hosts && scenario.hosts[index];
          var set = spec && spec.tcp && knob.name in spec.tcp;
          explicit.push(set ? String(spec.tcp[knob.name]) : null);
          if (index > 0) values.appendChild(document.createTextNode(' \u00b7 '));
          var value = element('span', set ? 'pg-explicit' : '', host.name + ' ' +
                              host.knobs[knob.name]);
          value.setAttribute('data-host', host.name);
          value.setAttribute('data-value', host.knobs[knob.name]);
          values.appendChild(value);
        });
      }
      var same = explicit.every(function (value) { return value === explicit[0]; });
      control.value = !explicit.length ? '' : same ? (explicit[0] === null ? '' : explicit[0])
                                                   : (control.tagName === 'SELECT' ? 'mixed' : '');
      table.appendChild(row);
    });
    // The link's random loss, both directions (docs/scenario-format.md, "link").
    var row = element('tr');
    row.setAttribute('data-knob', 'loss');
    var name = element('td');
    name.appendChild(element('div', 'pg-knob-name', 'loss'));
    name.appendChild(element('div', 'pg-knob-values', 'the link\'s, each direction'));
    row.appendChild(name);
    var cell = element('td');
    var loss = element('input');
    loss.id = 'knob-loss';
    loss.placeholder = '0';
    loss.title = 'the probability that the link loses a segment, e.g. 0.1';
    var link = scenario && scenario.link;
    loss.value = link && link.loss !== undefined ? String(link.loss) : '';
    loss.addEventListener('change', function () { setLoss(loss.value.trim()); });
    cell.appendChild(loss);
    row.appendChild(cell);
    table.appendChild(row);
  }

  // ---------------------------------------------------------------- fault rules from a click
  function ruleName(action, match) {
    return action + '-' + match.from + '-' + match.flags.replace(/,/g, '-') + '-' + match.nth;
  }

  function addFault(segment, action, duration) {
    var scenario = editableScenario();
    if (!scenario) return;
    var faults = (scenario.faults || []).slice();
    // The default names ("rule N", counting from 1) of the rules there are stay as they were.
    faults.forEach(function (rule, index) {
      if (rule && typeof rule === 'object' && rule.name === undefined) {
        rule.name = 'rule ' + (index + 1);
      }
    });
    // A rule this page made for the same segment is replaced.
    var mine = FAULT_ACTIONS.map(function (name) { return ruleName(name, segment.match); });
    faults = faults.filter(function (rule) { return mine.indexOf(rule.name) < 0; });
    var rule = {name: ruleName(action, segment.match),
                match: {from: segment.match.from, flags: segment.match.flags,
                        nth: segment.match.nth},
                action: action};
    if (action !== 'drop') rule.duration = duration;
    // First: the first rule that acts on a segment decides its fate (sim/link.hpp), and every
    // rule still counts its matches, so the rules after it select what they did before.
    faults.unshift(rule);
    changeText(formatJson(withKey(scenario, 'faults', faults), 0, 0) + '\n');
  }

  var menuSegment = null;
  var menuStep = 0;
  function openMenu(event, step, segment) {
    menuSegment = segment;
    menuStep = step;
    var match = segment.match;
    byId('menu-title').textContent = 'segment ' + segment.label + ' from ' + match.from +
      ' (its ' + ordinal(match.nth) + ' ' + match.flags + ')';
    var menu = byId('menu');
    menu.hidden = false;
    var x = Math.min(event.pageX + 8, window.scrollX + window.innerWidth - 280);
    menu.style.left = Math.max(window.scrollX + 4, x) + 'px';
    menu.style.top = (event.pageY + 8) + 'px';
  }
  function closeMenu() { byId('menu').hidden = true; menuSegment = null; }
  function ordinal(n) {
    var tens = n % 100;
    var suffix = tens >= 11 && tens <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th';
    return n + suffix;
  }

  // ---------------------------------------------------------------- rendering
  function catalogueEntriesOf(name) {
    return catalogue.filter(function (entry) {
      return entry.with === name || entry.without === name;
    });
  }

  function renderAbout() {
    var about = byId('about');
    clear(about);
    var result = state.result;
    var name = result ? result.name : state.entry.name;
    about.appendChild(element('p', 'pg-about-name', name));
    catalogueEntriesOf(state.entry.name).forEach(function (entry) {
      var claim = element('div', 'pg-claim');
      var head = element('p');
      head.appendChild(element('b', '', entry.mechanism));
      var role = entry.with === state.entry.name ? 'this scenario shows it at work'
                                                  : 'this scenario turns it off: ' + entry.turnOff;
      head.appendChild(document.createTextNode(' (' + role + ')'));
      claim.appendChild(head);
      claim.appendChild(element('p', '', 'Protects against ' + entry.protectsAgainst + '.'));
      claim.appendChild(element('p', 'pg-small', 'The claim of seed articles ' + entry.seeds +
                                '; ' + entry.reference + '.'));
      about.appendChild(claim);
    });
    about.appendChild(element('p', 'pg-description',
                              result ? result.description : state.entry.description));
  }

  // What each host believes after the current step: its connections and their states, from
  // the --html page's steps (each step's state change of its connection, applied in order).
  function statesAfter(steps, index) {
    var now = [];
    for (var step = 0; step <= index && step < steps.steps.length; ++step) {
      var change = steps.steps[step];
      if (change.s !== undefined) now[change.ci] = change.s;
    }
    return now;
  }

  function renderBelieves(box, result, steps, index) {
    clear(box);
    var now = statesAfter(steps, index);
    steps.hosts.forEach(function (hostName, host) {
      var column = element('div', 'pg-host');
      column.setAttribute('data-host', hostName);
      column.appendChild(element('h3', '', hostName));
      var counted = 0;
      var established = 0;
      var list = element('ul');
      steps.conns.forEach(function (conn, ci) {
        if (conn.host !== host || !now[ci]) return;
        var record = result.connections[ci];
        var gone = now[ci] === '-';
        var shown = gone ? conn.last : now[ci];
        if (!record.listener && !record.failedConnect) {
          ++counted;
          if (shown === 'ESTABLISHED') ++established;
        }
        var item = element('li', (gone ? 'pg-gone ' : '') +
                           (record.listener ? 'pg-listener' : ''));
        item.setAttribute('data-conn', conn.name);
        item.setAttribute('data-state', shown);
        if (record.listener) item.setAttribute('data-listener', 'true');
        var label = element('span', 'pg-conn', conn.name);
        label.style.color = conn.colour;
        item.appendChild(label);
        var badge = element('span', 'pg-badge', shown);
        var look = steps.look[shown];
        if (look) { badge.style.background = look[0]; badge.style.color = look[1]; }
        item.appendChild(badge);
        if (record.listener) item.appendChild(element('span', 'pg-small', 'listener'));
        if (gone) item.appendChild(element('span', 'pg-small', 'record deleted'));
        list.appendChild(item);
      });
      var count = element('p', 'pg-count', counted + ' connection' + (counted === 1 ? '' : 's') +
                          ', ' + established + ' ESTABLISHED');
      count.setAttribute('data-connections', String(counted));
      count.setAttribute('data-established', String(established));
      column.appendChild(count);
      if (!list.firstChild) list.appendChild(element('li', 'pg-small', 'no connection'));
      column.appendChild(list);
      box.appendChild(column);
    });
  }

  function renderOutcome() {
    var box = byId('outcome');
    clear(box);
    var result = state.result;
    box.setAttribute('data-outcome', result.failures.length ? 'failed' : 'met');
    var line = element('p', 'pg-outcome-line');
    line.appendChild(element('b', '', result.name));
    line.appendChild(document.createTextNode(
      ', seed ' + result.seed + ': ' + state.steps.steps.length + ' events, ends at ' +
      (result.endTime / 1e9).toFixed(3).replace(/\.?0+$/, '') + ' s. '));
    var met = result.expectations - result.failures.length;
    line.appendChild(document.createTextNode(
      result.failures.length ? 'Expectations: ' + result.failures.length + ' of ' +
        result.expectations + ' not met (they describe the shipped run):'
        : 'Expectations: ' + met + ' of ' + result.expectations + ' met.'));
    box.appendChild(line);
    if (result.failures.length) {
      var list = element('ul', 'pg-failures');
      result.failures.forEach(function (failure) {
        var item = element('li', '', 'line ' + failure.line + ': ' + failure.message);
        item.title = 'show it in the editor (at ' + failure.path + ')';
        item.addEventListener('click', function () { goToPosition(failure.line, failure.column); });
        list.appendChild(item);
      });
      box.appendChild(list);
    }
  }

  function renderDiagrams() {
    byId('diagram').innerHTML = state.result.svg;
    byId('title-b').textContent = state.pinned ? 'B: ' + describeRun(state.entry.name)
                                               : state.result.name;
    var pinned = state.pinned;
    var paneA = byId('pane-a');
    paneA.hidden = !pinned;
    byId('panes').classList.toggle('pg-two', !!pinned);
    byId('unpin').hidden = !pinned;
    if (pinned) {
      byId('title-a').textContent = 'A: ' + pinned.title;
      if (pinned.result) {
        byId('diagram-a').innerHTML = pinned.result.svg;
        renderBelieves(byId('believes-a'), pinned.result, pinned.steps,
                       pinned.steps.steps.length - 1);
      } else {
        byId('diagram-a').textContent = pinned.error;
        clear(byId('believes-a'));
      }
    } else {
      clear(byId('diagram-a'));
    }
    state.nodes = Array.prototype.map.call(
      byId('diagram').querySelectorAll('[data-step]'), function (node) {
        return {node: node, step: parseInt(node.getAttribute('data-step'), 10)};
      });
  }

  function describeRun(name) {
    var edited = byId('editor').value !== state.entry.text;
    return name + (edited ? ' (edited)' : '') +
      (byId('seed').value.trim() ? ', seed ' + byId('seed').value.trim() : '');
  }

  function renderPairButtons() {
    var box = byId('pair-buttons');
    clear(box);
    catalogueEntriesOf(state.entry.name).forEach(function (entry) {
      var other = entry.with === state.entry.name ? entry.without : entry.with;
      var button = element('button', '', 'A: ' + other);
      button.type = 'button';
      button.setAttribute('data-pair', other);
      button.title = (entry.with === other ? 'with ' : 'without ') + entry.mechanism +
        ', beside this run';
      button.addEventListener('click', function () { pinShipped(entry, other); });
      box.appendChild(button);
    });
  }

  function renderAll() {
    renderAbout();
    renderKnobs();
    renderOutcome();
    renderPairButtons();
    renderDiagrams();
    showStep(state.current);
    document.body.setAttribute('data-runs', String(state.runs));
  }

  // ---------------------------------------------------------------- stepping
  function showStep(index) {
    var steps = state.steps.steps;
    if (!steps.length) return;
    index = Math.max(0, Math.min(steps.length - 1, index));
    state.current = index;
    var reveal = byId('reveal').value;
    var diagram = byId('diagram');
    diagram.classList.toggle('pg-reveal-hide', reveal === 'hide');
    diagram.classList.toggle('pg-reveal-fade', reveal === 'fade');
    var first = null;
    state.nodes.forEach(function (item) {
      item.node.classList.toggle('pg-future', item.step > index);
      var current = item.step === index && index < steps.length - 1;
      item.node.classList.toggle('pg-current', current);
      if (current && !first) first = item.node;
    });
    var step = steps[index];
    document.body.setAttribute('data-step', String(index));
    byId('position').textContent = 'step ' + (index + 1) + ' of ' + steps.length;
    byId('when').textContent = step.t + ' s \u00b7 ' + step.k +
      (step.h ? ' \u00b7 ' + step.h : '') + (step.c ? ' \u00b7 ' + step.c : '');
    byId('narration').textContent = step.n;
    renderBelieves(byId('believes'), state.result, state.steps, index);
    byId('first').disabled = byId('prev').disabled = index === 0;
    byId('next').disabled = byId('last').disabled = index === steps.length - 1;
    if (first && state.timer) first.scrollIntoView({block: 'nearest', inline: 'nearest'});
  }

  function stopPlaying() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    byId('play').textContent = 'play';
  }
  function togglePlay() {
    if (state.timer) { stopPlaying(); return; }
    if (state.current >= state.steps.steps.length - 1) showStep(0);
    byId('play').textContent = 'pause';
    state.timer = setInterval(function () {
      if (state.current >= state.steps.steps.length - 1) { stopPlaying(); return; }
      showStep(state.current + 1);
    }, 1000 / Number(byId('speed').value));
  }

  // ---------------------------------------------------------------- comparing
  function pinCurrent() {
    state.pinned = {title: describeRun(state.entry.name), text: byId('editor').value,
                    file: state.entry.file, seed: byId('seed').value.trim()};
    runPinned(state.pinned);
    renderAll();
  }
  function pinShipped(entry, name) {
    var other = shipped.filter(function (item) { return item.name === name; })[0];
    if (!other) return;
    var seed = byId('seed').value.trim();
    state.pinned = {title: name + (entry.with === name ? ' (with ' : ' (without ') +
                    entry.mechanism + ')' + (seed ? ', seed ' + seed : ''), text: other.text,
                    file: other.file, seed: seed};
    runPinned(state.pinned);
    renderAll();
  }

  // ---------------------------------------------------------------- downloads
  function download(name, data, type) {
    var link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([data], {type: type}));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  function setDownloadsEnabled(enabled) {
    ['download-trace', 'download-svg', 'download-pcap'].forEach(function (id) {
      byId(id).disabled = !enabled;
    });
  }

  // ---------------------------------------------------------------- the picker
  function fillPicker() {
    var select = byId('scenario');
    var listed = {};
    catalogue.forEach(function (entry, index) {
      var group = document.createElement('optgroup');
      group.label = (index + 1) + '. ' + entry.mechanism + ' (seeds ' + entry.seeds + ')';
      [['with', entry.with], ['without', entry.without]].forEach(function (pair) {
        var item = shipped.filter(function (s) { return s.name === pair[1]; })[0];
        if (!item) return;
        var option = new Option(pair[0] + ': ' + item.name, item.file);
        option.title = item.summary;
        group.appendChild(option);
        listed[item.file] = true;
      });
      select.appendChild(group);
    });
    var others = document.createElement('optgroup');
    others.label = 'more scenarios';
    shipped.forEach(function (item) {
      if (listed[item.file]) return;
      var option = new Option(item.name, item.file);
      option.title = item.summary;
      others.appendChild(option);
    });
    select.appendChild(others);
    var list = document.createElement('datalist');
    list.id = 'durations';
    ['0s', '500ms', '1s', '10s', '30s', '1min', '2min', '4min'].forEach(function (value) {
      list.appendChild(new Option(value, value));
    });
    document.body.appendChild(list);
  }

  // ---------------------------------------------------------------- events
  function wire() {
    byId('scenario').addEventListener('change', function () {
      loadScenario(byId('scenario').value);
    });
    byId('run').addEventListener('click', runEditor);
    // A pinned run keeps its seed: changing it compares two seeds.
    byId('seed').addEventListener('change', runEditor);
    byId('lang').addEventListener('change', function () {
      runEditor();
      if (state.pinned) { runPinned(state.pinned); renderDiagrams(); showStep(state.current); }
    });
    byId('undo').addEventListener('click', function () {
      if (!state.history.length) return;
      byId('editor').value = state.history.pop();
      byId('undo').disabled = !state.history.length;
      updateGutter();
      runEditor();
    });
    byId('revert').addEventListener('click', function () { changeText(state.entry.text); });
    var typing = null;
    var editor = byId('editor');
    editor.addEventListener('input', function () {
      updateGutter();
      clearTimeout(typing);
      typing = setTimeout(runEditor, 300);
    });
    editor.addEventListener('scroll', function () { byId('gutter').scrollTop = editor.scrollTop; });
    byId('editor-status').addEventListener('click', function () {
      var line = parseInt(byId('editor-status').getAttribute('data-line') || '', 10);
      if (line) goToPosition(line, parseInt(byId('editor-status').getAttribute('data-column'), 10));
    });
    byId('first').addEventListener('click', function () { showStep(0); });
    byId('prev').addEventListener('click', function () { showStep(state.current - 1); });
    byId('next').addEventListener('click', function () { showStep(state.current + 1); });
    byId('last').addEventListener('click', function () { showStep(state.steps.steps.length - 1); });
    byId('play').addEventListener('click', togglePlay);
    byId('speed').addEventListener('change', function () {
      if (state.timer) { stopPlaying(); togglePlay(); }
    });
    byId('reveal').addEventListener('change', function () { showStep(state.current); });
    byId('zoom').addEventListener('click', function () {
      var actual = document.body.classList.toggle('pg-actual-size');
      byId('zoom').textContent = actual ? 'fit to width' : 'actual size';
    });
    document.addEventListener('keydown', function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var target = event.target.tagName;
      if (target === 'TEXTAREA' || target === 'INPUT' || target === 'SELECT') return;
      if (event.key === 'Escape') { closeMenu(); return; }
      if (event.key === ' ' && target !== 'BUTTON') {
        event.preventDefault();
        togglePlay();
        return;
      }
      var last = state.steps.steps.length - 1;
      var moves = {ArrowRight: state.current + 1, ArrowLeft: state.current - 1, Home: 0,
                   End: last};
      if (!(event.key in moves)) return;
      event.preventDefault();
      stopPlaying();
      showStep(moves[event.key]);
    });
    byId('diagram').addEventListener('click', function (event) {
      var node = event.target.closest ? event.target.closest('[data-step]') : null;
      if (!node || !state.result) return;
      var step = parseInt(node.getAttribute('data-step'), 10);
      var id = state.result.stepSegment[step];
      var segment = id ? state.result.segments[String(id)] : null;
      if (!segment) { closeMenu(); showStep(step); return; }
      event.stopPropagation();
      openMenu(event, step, segment);
    });
    document.addEventListener('click', function (event) {
      var menu = byId('menu');
      if (!menu.hidden && !menu.contains(event.target)) closeMenu();
    });
    byId('menu-drop').addEventListener('click', function () {
      var segment = menuSegment;
      closeMenu();
      if (segment) addFault(segment, 'drop');
    });
    byId('menu-delay').addEventListener('click', function () {
      var segment = menuSegment;
      closeMenu();
      if (segment) addFault(segment, 'delay', byId('menu-delay-by').value.trim());
    });
    byId('menu-duplicate').addEventListener('click', function () {
      var segment = menuSegment;
      closeMenu();
      if (segment) addFault(segment, 'duplicate', byId('menu-duplicate-after').value.trim());
    });
    byId('menu-step').addEventListener('click', function () {
      var step = menuStep;
      closeMenu();
      showStep(step);
    });
    byId('menu-cancel').addEventListener('click', closeMenu);
    byId('pin').addEventListener('click', pinCurrent);
    byId('unpin').addEventListener('click', function () { state.pinned = null; renderAll(); });
    byId('download-scenario').addEventListener('click', function () {
      download(state.entry.name + '.json', byId('editor').value, 'application/json');
    });
    byId('download-trace').addEventListener('click', function () {
      download(state.result.name + '.trace.jsonl', state.result.trace, 'application/x-ndjson');
    });
    byId('download-svg').addEventListener('click', function () {
      download(state.result.name + '.svg', state.result.svg, 'image/svg+xml');
    });
    byId('download-pcap').addEventListener('click', function () {
      download(state.result.name + '.pcapng', state.result.pcap,
               'application/vnd.tcpdump.pcap');
    });
  }

  // ---------------------------------------------------------------- start
  // page.html#NAME: the shipped scenario NAME.
  function scenarioInAddress() {
    var wanted = decodeURIComponent(location.hash.replace(/^#/, ''));
    return shipped.filter(function (item) { return item.name === wanted; })[0] || null;
  }

  // What the browser test reads (tests/browser/playground.py).
  window.tcpsimPlayground = {
    state: state,
    ready: false,
    error: null
  };

  createTcpsim().then(function (module) {
    state.moduleMs = Math.round(performance.now());  // the module compiled and started
    tcpsim = module;
    shipped = tcpsim.shippedScenarios();
    catalogue = tcpsim.teachingCatalogue();
    knobTable = tcpsim.knobs();
    fillPicker();
    wire();
    document.body.classList.remove('pg-loading');
    loadScenario((scenarioInAddress() ||
                  shipped.filter(function (item) {
                    return item.name === 'two-way-handshake-stale-syn';
                  })[0]).file);
    window.addEventListener('hashchange', function () {
      var wanted = scenarioInAddress();
      if (wanted && wanted !== state.entry) loadScenario(wanted.file);
    });
    state.loadMs = Math.round(performance.now());
    window.tcpsimPlayground.ready = true;
    document.body.setAttribute('data-ready', 'true');
  }, function (error) {
    window.tcpsimPlayground.error = String(error);
    byId('loading').textContent = 'The simulator could not start: ' + error;
  });
})();
