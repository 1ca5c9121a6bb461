// The playground's page script (docs/views.md, "The playground"). Everything the simulator
// says comes from the WebAssembly module (web/bindings.cpp): the loader's errors, the trace,
// the SVG diagram, the capture, the steps and their narration. Stepping through a run is the
// stepping page of `tcpsim run --html` (views/html_page.js, TcpsimPage), inlined beside this
// script. This script only edits the scenario's JSON text (knobs, fault rules), calls the
// module, and shows what it returns; its own words, in English and Chinese, are WORDS below.
(function () {
  'use strict';

  // Top-level keys in the order of docs/scenario-format.md, for keys this page adds.
  var KEY_ORDER = ['tcpsim', 'name', 'description', 'seed', 'link', 'hosts', 'faults',
                   'timeline', 'stop_at', 'event_budget', 'memory_budget', 'expect'];
  var LINE_LIMIT = 120;  // a JSON object stays on one line when it fits (as in scenarios/)
  var FAULT_ACTIONS = ['drop', 'delay', 'duplicate'];

  // The playground's words (the stepper's are views/html_page.js's). Elements of
  // playground.html name theirs with data-t (text), data-t-title and data-t-placeholder.
  var WORDS = {
    en: {
      title: 'tcpsim playground', scenario: 'scenario', seed: 'seed', language: 'language',
      seedOwn: 'its own', seedTitle: 'empty: the scenario\'s seed; Enter to run',
      run: 'run', runTitle: 'run the scenario in the editor again', undo: 'undo',
      undoTitle: 'undo the last change made by a button', revert: 'shipped version',
      revertTitle: 'the shipped scenario, unchanged', loading: 'Loading the simulator\u2026',
      knobs: 'Teaching knobs', knobsHint: '(every host; re-runs at once)',
      compare: 'Compare two runs', pin: 'pin this run as A',
      pinTitle: 'keep this run on the left, then change something', unpin: 'stop comparing',
      editorTitle: 'Scenario', editorHint: '(edit it: it runs as you type)',
      download: 'download', scenarioFile: 'scenario', scenarioFileTitle: 'the editor\'s text',
      traceFile: 'trace', traceFileTitle: 'JSON Lines, as tcpsim run --trace writes it',
      svgFile: 'SVG', svgFileTitle: 'as tcpsim run --svg',
      pcapFile: 'pcap', pcapFileTitle: 'pcapng for Wireshark, as tcpsim run --pcap',
      drop: 'drop it', delay: 'delay it by', duplicate: 'duplicate it, the copy', later: 'later',
      goToStep: 'go to this step', cancel: 'cancel',
      diagramTitle: 'click a segment: what if it were lost?',
      fixFirst: 'Fix the error in the scenario first: the buttons change the text that loads.',
      tooLarge: function (n) {
        return 'The number ' + n + ' is too large for the buttons to rewrite exactly; edit ' +
          'the text by hand.';
      },
      atLine: function (line, column) { return 'line ' + line + ', column ' + column + ': '; },
      atPath: function (path) { return ' (at ' + path + ')'; },
      good: function (edited) {
        return 'Loads and runs' + (edited ? ' (changed from the shipped file)' : '') + '.';
      },
      asProfile: 'as profile', mixed: 'differs per host', loss: 'loss',
      lossValues: 'the link\'s, each direction',
      lossTitle: 'the probability that the link loses a segment, e.g. 0.1',
      menuTitle: function (label, from, nth, flags) {
        return 'segment ' + label + ' from ' + from + ' (its ' + ordinal(nth) + ' ' + flags + ')';
      },
      atWork: 'this scenario shows it at work',
      turnsOff: function (how) { return 'this scenario turns it off: ' + how; },
      protects: function (what) { return 'Protects against ' + what + '.'; },
      claim: function (seeds, reference) {
        return (seeds ? 'The claim of seed articles ' + seeds + '; ' : '') + reference + '.';
      },
      outcome: function (seed, events, end) {
        return ', seed ' + seed + ': ' + events + ' events, ends at ' + end + ' s. ';
      },
      notMet: function (failed, all) {
        return 'Expectations: ' + failed + ' of ' + all + ' not met (they describe the ' +
          'shipped run):';
      },
      met: function (met, all) { return 'Expectations: ' + met + ' of ' + all + ' met.'; },
      failure: function (line, message) { return 'line ' + line + ': ' + message; },
      showInEditor: function (path) { return 'show it in the editor (at ' + path + ')'; },
      edited: ' (edited)', withSeed: function (seed) { return ', seed ' + seed; },
      withMechanism: function (name, mechanism) { return name + ' (with ' + mechanism + ')'; },
      withoutMechanism: function (name, mechanism) {
        return name + ' (without ' + mechanism + ')';
      },
      pairTitle: function (has, mechanism) {
        return (has ? 'with ' : 'without ') + mechanism + ', beside this run';
      },
      group: function (index, mechanism, seeds) {
        return index + '. ' + mechanism + (seeds ? ' (seeds ' + seeds + ')' : '');
      },
      withLabel: 'with', withoutLabel: 'without', more: 'more scenarios',
      failedStart: function (error) { return 'The simulator could not start: ' + error; }
    },
    zh: {
      title: 'tcpsim 演练场', scenario: '场景', seed: '随机种子', language: '语言',
      seedOwn: '场景自带', seedTitle: '留空：用场景的种子；回车运行',
      run: '运行', runTitle: '重新运行编辑器中的场景', undo: '撤销',
      undoTitle: '撤销按钮所做的上一次修改', revert: '原始版本',
      revertTitle: '随附的场景，未经修改', loading: '正在加载模拟器\u2026',
      knobs: '教学开关', knobsHint: '（作用于每台主机；立即重新运行）',
      compare: '对比两次运行', pin: '把这次运行固定为 A',
      pinTitle: '把这次运行留在左边，然后改点什么', unpin: '停止对比',
      editorTitle: '场景', editorHint: '（可以编辑：边输入边运行）',
      download: '下载', scenarioFile: '场景', scenarioFileTitle: '编辑器中的文本',
      traceFile: '轨迹', traceFileTitle: 'JSON Lines，与 tcpsim run --trace 写的相同',
      svgFile: 'SVG', svgFileTitle: '与 tcpsim run --svg 相同',
      pcapFile: 'pcap', pcapFileTitle: '给 Wireshark 的 pcapng，与 tcpsim run --pcap 相同',
      drop: '丢弃它', delay: '把它延迟', duplicate: '复制它，副本晚', later: '到达',
      goToStep: '跳到这一步', cancel: '取消',
      diagramTitle: '点击一个报文段：如果它丢了会怎样？',
      fixFirst: '请先改正场景中的错误：按钮修改的是能加载的文本。',
      tooLarge: function (n) { return '数字 ' + n + ' 太大，按钮无法精确改写；请手工编辑。'; },
      atLine: function (line, column) { return '第 ' + line + ' 行第 ' + column + ' 列：'; },
      atPath: function (path) { return '（位置 ' + path + '）'; },
      good: function (edited) { return '可以加载并运行' + (edited ? '（已修改随附的文件）' : '') + '。'; },
      asProfile: '按配置', mixed: '各主机不同', loss: '丢包率',
      lossValues: '链路的，每个方向',
      lossTitle: '链路丢失一个报文段的概率，例如 0.1',
      menuTitle: function (label, from, nth, flags) {
        return from + ' 的报文段 ' + label + '（它的第 ' + nth + ' 个 ' + flags + '）';
      },
      atWork: '这个场景展示这一机制的作用',
      turnsOff: function (how) { return '这个场景把它关掉：' + how; },
      protects: function (what) { return '防止：' + what + '。'; },
      claim: function (seeds, reference) {
        return (seeds ? '种子文章 ' + seeds + ' 的论断；' : '') + reference + '。';
      },
      outcome: function (seed, events, end) {
        return '，种子 ' + seed + '：' + events + ' 个事件，在 ' + end + ' 秒结束。';
      },
      notMet: function (failed, all) {
        return '预期：' + all + ' 条中有 ' + failed + ' 条未满足（它们描述的是随附的运行）：';
      },
      met: function (met, all) { return '预期：' + all + ' 条中满足 ' + met + ' 条。'; },
      failure: function (line, message) { return '第 ' + line + ' 行：' + message; },
      showInEditor: function (path) { return '在编辑器中显示（位置 ' + path + '）'; },
      edited: '（已编辑）', withSeed: function (seed) { return '，种子 ' + seed; },
      withMechanism: function (name, mechanism) { return name + '（有' + mechanism + '）'; },
      withoutMechanism: function (name, mechanism) { return name + '（没有' + mechanism + '）'; },
      pairTitle: function (has, mechanism) {
        return (has ? '有' : '没有') + mechanism + '，放在这次运行旁边';
      },
      group: function (index, mechanism, seeds) {
        return index + '. ' + mechanism + (seeds ? '（种子文章 ' + seeds + '）' : '');
      },
      withLabel: '有', withoutLabel: '没有', more: '更多场景',
      failedStart: function (error) { return '模拟器无法启动：' + error; }
    }
  };
  function words() { return WORDS[byId('lang').value] || WORDS.en; }
  // A shipped scenario's description and its first sentence, in the chosen language.
  function chinese() { return byId('lang').value === 'zh'; }
  function summaryOf(item) { return chinese() && item.summary_zh ? item.summary_zh : item.summary; }
  function mechanismOf(entry) {
    return chinese() && entry.mechanismZh ? entry.mechanismZh : entry.mechanism;
  }
  function descriptionOf(item) {
    return chinese() && item.description_zh ? item.description_zh : item.description;
  }

  var tcpsim = null;  // the module
  var shipped = [];   // [{file, name, text, summary, description}]
  var catalogue = [];
  var knobTable = [];
  var state = {
    entry: null,       // the shipped scenario being edited
    result: null,      // the last successful run of the editor's text
    steps: null,       // its --html steps (views/html.cpp, html_steps_json)
    stale: false,      // the editor's text does not load: the diagram is the last good run
    history: [],       // editor texts before each change made by a control
    pinned: null,      // {title, text, file, seed, result, steps}: pane A
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
  var player = null;  // the stepping page (views/html_page.js)

  // The page's fixed words in the chosen language, and its lang attribute.
  function applyWords() {
    var w = words();
    document.documentElement.lang = byId('lang').value === 'zh' ? 'zh-CN' : 'en';
    document.title = w.title;
    Array.prototype.forEach.call(document.querySelectorAll('[data-t]'), function (node) {
      node.textContent = w[node.getAttribute('data-t')];
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-t-title]'), function (node) {
      node.title = w[node.getAttribute('data-t-title')];
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-t-placeholder]'),
                                 function (node) {
      node.placeholder = w[node.getAttribute('data-t-placeholder')];
    });
  }

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
      setStatus('error', words().fixFirst);
      return null;
    }
    var text = byId('editor').value;
    var big = unsafeNumber(text);
    if (big) {
      setStatus('error', words().tooLarge(big));
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
    var where = error.line ? words().atLine(error.line, error.column) : '';
    var path = error.path && error.path !== '$' ? words().atPath(error.path) : '';
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
    setStatus('good', words().good(edited));
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
      control.appendChild(new Option(words().asProfile, ''));
      var values = knob.type === 'boolean' ? ['true', 'false'] : knob.choices;
      values.forEach(function (value) { control.appendChild(new Option(value, value)); });
      control.appendChild(new Option(words().mixed, 'mixed'));
      control.lastChild.disabled = true;
    } else {
      control = element('input');
      control.placeholder = words().asProfile;
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
    name.appendChild(element('div', 'pg-knob-values', words().lossValues));
    row.appendChild(name);
    var cell = element('td');
    var loss = element('input');
    loss.id = 'knob-loss';
    loss.placeholder = '0';
    loss.title = words().lossTitle;
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
    byId('menu-title').textContent = words().menuTitle(segment.label, match.from, match.nth,
                                                       match.flags);
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
      head.appendChild(element('b', '', mechanismOf(entry)));
      var role = entry.with === state.entry.name ? words().atWork
                                                  : words().turnsOff(entry.turnOff);
      head.appendChild(document.createTextNode(' (' + role + ')'));
      claim.appendChild(head);
      claim.appendChild(element('p', '', words().protects(chinese() && entry.protectsAgainstZh
                                                           ? entry.protectsAgainstZh
                                                           : entry.protectsAgainst)));
      claim.appendChild(element('p', 'pg-small', words().claim(entry.seeds, entry.reference)));
      about.appendChild(claim);
    });
    about.appendChild(element('p', 'pg-description',
                              result ? result.description : descriptionOf(state.entry)));
    // What each side believes (the two-way lesson in one line).
    if (result && result.beliefs) about.appendChild(element('p', 'pg-beliefs', result.beliefs));
  }

  function renderOutcome() {
    var box = byId('outcome');
    clear(box);
    var result = state.result;
    box.setAttribute('data-outcome', result.failures.length ? 'failed' : 'met');
    var line = element('p', 'pg-outcome-line');
    line.appendChild(element('b', '', result.name));
    line.appendChild(document.createTextNode(words().outcome(
      result.seed, state.steps.steps.length,
      (result.endTime / 1e9).toFixed(3).replace(/\.?0+$/, ''))));
    var met = result.expectations - result.failures.length;
    line.appendChild(document.createTextNode(
      result.failures.length ? words().notMet(result.failures.length, result.expectations)
                             : words().met(met, result.expectations)));
    box.appendChild(line);
    if (result.failures.length) {
      var list = element('ul', 'pg-failures');
      result.failures.forEach(function (failure) {
        var item = element('li', '', words().failure(failure.line, failure.message));
        item.title = words().showInEditor(failure.path);
        item.addEventListener('click', function () { goToPosition(failure.line, failure.column); });
        list.appendChild(item);
      });
      box.appendChild(list);
    }
  }

  // The run in the stepping page (views/html_page.js), at its last step; a pinned run beside
  // it, at its end.
  function renderDiagrams(at) {
    var pinned = state.pinned;
    byId('unpin').hidden = !pinned;
    player.setCompanion(pinned ? {
      title: 'A: ' + pinned.title, mainTitle: 'B: ' + describeRun(state.entry.name),
      svg: pinned.result ? pinned.result.svg : '', data: pinned.steps, error: pinned.error
    } : null);
    player.load(state.steps, state.result.svg,
                at === undefined ? state.steps.steps.length - 1 : at);
    byId('diagram').title = words().diagramTitle;
  }

  function describeRun(name) {
    var edited = byId('editor').value !== state.entry.text;
    return name + (edited ? words().edited : '') +
      (byId('seed').value.trim() ? words().withSeed(byId('seed').value.trim()) : '');
  }

  function renderPairButtons() {
    var box = byId('pair-buttons');
    clear(box);
    catalogueEntriesOf(state.entry.name).forEach(function (entry) {
      var other = entry.with === state.entry.name ? entry.without : entry.with;
      var button = element('button', '', 'A: ' + other);
      button.type = 'button';
      button.setAttribute('data-pair', other);
      button.title = words().pairTitle(entry.with === other, entry.mechanism);
      button.addEventListener('click', function () { pinShipped(entry, other); });
      box.appendChild(button);
    });
  }

  function renderAll(at) {
    renderAbout();
    renderKnobs();
    renderOutcome();
    renderPairButtons();
    renderDiagrams(at);
    document.body.setAttribute('data-runs', String(state.runs));
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
    var w = words();
    state.pinned = {title: (entry.with === name ? w.withMechanism : w.withoutMechanism)(
                      name, entry.mechanism) + (seed ? w.withSeed(seed) : ''),
                    text: other.text, file: other.file, seed: seed};
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
      group.label = words().group(index + 1, mechanismOf(entry), entry.seeds);
      [['with', entry.with], ['without', entry.without]].forEach(function (pair) {
        var item = shipped.filter(function (s) { return s.name === pair[1]; })[0];
        if (!item) return;
        var option = new Option((pair[0] === 'with' ? words().withLabel : words().withoutLabel) +
                                ': ' + item.name, item.file);
        option.title = summaryOf(item);
        group.appendChild(option);
        listed[item.file] = true;
      });
      select.appendChild(group);
    });
    var others = document.createElement('optgroup');
    others.label = words().more;
    shipped.forEach(function (item) {
      if (listed[item.file]) return;
      var option = new Option(item.name, item.file);
      option.title = summaryOf(item);
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
      applyWords();
      clear(byId('scenario'));
      fillPicker();
      byId('scenario').value = state.entry.file;
      if (state.pinned) runPinned(state.pinned);
      var at = player.current;
      runEditor();
      if (state.result) renderDiagrams(at);
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
    // The stepper keeps the arrows, Home, End and Space (views/html_page.js); Escape also
    // closes the segment menu.
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') closeMenu();
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
      player.stop();
      player.show(step);
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
    applyWords();
    player = TcpsimPage.create(byId('player'), {
      layout: 'top',
      // A click on a segment: what if it were lost, held, copied? Anything else: its step.
      onDiagramClick: function (step, node, event) {
        var id = state.result && state.result.stepSegment[step];
        var segment = id ? state.result.segments[String(id)] : null;
        if (!segment) { closeMenu(); return false; }
        event.stopPropagation();
        openMenu(event, step, segment);
        return true;
      }
    });
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
    byId('loading').textContent = words().failedStart(error);
  });
})();
