// The stepping page (views/html.hpp, docs/views.md "HTML stepping page"): one implementation
// for the page `tcpsim run --html` writes and for the playground (web/page/), which inline this
// file and views/html_page.css. It steps through a run's trace over the diagram render_svg
// drew, with the steps views/html.cpp computed (html_steps_json); it formats nothing of the run
// itself. Step by step reveal (later steps hidden or faint), autoplay paced by the run's own
// time with idle gaps compressed, keyboard control, a presentation mode for a projector,
// textbook labels (SYN=1 seq=x, 第一次握手), the window on every segment, and the interface in
// English or Chinese (the words below: the page's only strings).
(function (global) {
  'use strict';

  var WORDS = {
    en: {
      first: 'first step (Home)', prev: '\u25C0 prev', prevTitle: 'previous step (left arrow)',
      next: 'next \u25B6', nextTitle: 'next step (right arrow)', last: 'last step (End)',
      play: '\u25B6 play', pause: '\u275A\u275A pause', playTitle: 'play or pause (space)',
      speedTitle: 'autoplay speed (+ and -)',
      revealTitle: 'the steps not reached yet (R)',
      revealHide: 'hide later steps', revealFaint: 'faint later steps',
      revealAll: 'show every step',
      textbook: 'textbook labels', textbookTitle: 'SYN=1 seq=x, numbered handshake and close (T)',
      window: 'win=', windowTitle: 'the window on every segment (W)',
      present: 'presentation', presentTitle: 'presentation mode (P; Esc leaves it)',
      leave: 'leave presentation', zoomFit: 'actual size', zoomActual: 'fit to width',
      zoomReadable: 'readable size', zoomWhole: 'whole width',
      zoomTitle: 'diagram size (Z)',
      position: function (i, n) { return 'step ' + i + ' of ' + n; },
      idle: function (gap) { return 'after ' + gap + ' idle (compressed)'; },
      why: 'why: ',
      connections: function (n, established) {
        return n + ' connection' + (n === 1 ? '' : 's') + ', ' + established + ' ESTABLISHED';
      },
      listener: 'listener', deleted: 'record deleted', noConnection: 'no connection',
      more: function (n) {
        return 'and ' + n + ' more connection' + (n === 1 ? '' : 's') + ' (see --trace)';
      },
      help: [[['\u2190', '\u2192'], 'step'], [['Home', 'End'], 'first and last'],
             [['Space'], 'play'], [['+', '-'], 'speed'], [['R'], 'reveal'],
             [['T'], 'textbook labels'], [['W'], 'window'], [['P'], 'presentation'],
             [['Z'], 'zoom'], [[], 'Click anything in the diagram to jump to its step.']],
      kinds: {action: 'action', action_failed: 'call failed', send: 'send', deliver: 'arrival',
              drop: 'loss', expire: 'expiry', delay: 'hold', duplicate: 'copy',
              discard: 'discard', state: 'state', timer_set: 'timer set',
              timer_cancel: 'timer off', timer_fire: 'timer fires', app: 'application',
              open: 'record created', free: 'record deleted', inject: 'injected'}
    },
    zh: {
      first: '第一步（Home）', prev: '\u25C0 上一步', prevTitle: '上一步（左方向键）',
      next: '下一步 \u25B6', nextTitle: '下一步（右方向键）', last: '最后一步（End）',
      play: '\u25B6 播放', pause: '\u275A\u275A 暂停', playTitle: '播放或暂停（空格键）',
      speedTitle: '自动播放速度（+ 和 -）',
      revealTitle: '尚未到达的步骤（R）',
      revealHide: '隐藏后面的步骤', revealFaint: '淡显后面的步骤', revealAll: '显示全部步骤',
      textbook: '教材标注', textbookTitle: 'SYN=1 seq=x，给握手和挥手编号（T）',
      window: '窗口 win=', windowTitle: '每个报文段的窗口（W）',
      present: '演示模式', presentTitle: '演示模式（P；Esc 退出）',
      leave: '退出演示', zoomFit: '实际大小', zoomActual: '适应宽度',
      zoomReadable: '易读大小', zoomWhole: '整个宽度',
      zoomTitle: '图的大小（Z）',
      position: function (i, n) { return '第 ' + i + ' 步，共 ' + n + ' 步'; },
      idle: function (gap) { return '空闲 ' + gap + ' 之后（已压缩）'; },
      why: '原因：',
      connections: function (n, established) {
        return n + ' 个连接，' + established + ' 个 ESTABLISHED';
      },
      listener: '监听套接字', deleted: '记录已删除', noConnection: '没有连接',
      more: function (n) { return '还有 ' + n + ' 个连接（见 --trace）'; },
      help: [[['\u2190', '\u2192'], '单步'], [['Home', 'End'], '第一步和最后一步'],
             [['空格'], '播放'], [['+', '-'], '速度'], [['R'], '显示方式'], [['T'], '教材标注'],
             [['W'], '窗口'], [['P'], '演示模式'], [['Z'], '缩放'],
             [[], '点击图中任何元素，跳到它的那一步。']],
      kinds: {action: '调用', action_failed: '调用失败', send: '发送', deliver: '到达',
              drop: '丢失', expire: '过期', delay: '滞留', duplicate: '复制', discard: '丢弃',
              state: '状态', timer_set: '启动计时器', timer_cancel: '停止计时器',
              timer_fire: '计时器到期', app: '应用', open: '新建记录', free: '删除记录',
              inject: '注入'}
    }
  };
  var SPEEDS = [0.5, 1, 2, 4, 8];
  var BEAT_MS = 800;        // one beat of autoplay at 1x: a step at the same instant
  // Presentation: the diagram's 12 px text at least this large (at 1024x768 the diagram is then
  // wider than the window, which keeps both hosts' lifelines in view and follows the step).
  var READABLE_PX = 13;
  var ZOOMS = [0, -1, 1.25, 1.5, 2];  // 0: readable (the default), -1: the whole width

  function words(lang) { return WORDS[lang] || WORDS.en; }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function button(id, className) {
    var node = element('button', className || '');
    node.type = 'button';
    if (id) node.id = id;
    return node;
  }

  // Every connection's state after step `index`: the steps' changes ("s", its connection "ci")
  // applied in order ("" before a record exists, "-" once it is deleted).
  function statesAfter(data, index) {
    var now = [];
    for (var step = 0; step <= index && step < data.steps.length; ++step) {
      var change = data.steps[step];
      if (change.s !== undefined) now[change.ci] = change.s;
    }
    return now;
  }

  // What each host believes after step `index`: its connections, their states, how many.
  function renderStates(box, data, index, lang) {
    var w = words(lang);
    clear(box);
    var now = statesAfter(data, index);
    var active = index >= 0 && index < data.steps.length ? data.steps[index].ci : -1;
    data.hosts.forEach(function (hostName, host) {
      var column = element('div', 'tp-host');
      column.setAttribute('data-host', hostName);
      column.appendChild(element('h2', '', hostName));
      var counted = 0;
      var established = 0;
      var listed = 0;
      var more = 0;
      var list = element('ul');
      data.conns.forEach(function (conn, ci) {
        if (conn.host !== host || !now[ci]) return;
        var gone = now[ci] === '-';
        var shown = gone ? conn.last : now[ci];
        if (!conn.listener && !conn.failed) {
          ++counted;
          if (shown === 'ESTABLISHED' && !gone) ++established;
        }
        // At most data.limit per host (the step's own connection always): a bounded panel.
        if (listed >= data.limit && ci !== active) { ++more; return; }
        ++listed;
        var item = element('li', 'tp-conn-state' + (gone ? ' tp-gone' : '') +
                           (conn.listener ? ' tp-listener' : '') +
                           (ci === active ? ' tp-active' : ''));
        item.setAttribute('data-conn', conn.name);
        item.setAttribute('data-state', shown);
        if (gone) item.setAttribute('data-gone', 'true');
        if (conn.listener) item.setAttribute('data-listener', 'true');
        var label = element('span', 'tp-conn', conn.name);
        label.style.color = conn.colour;
        item.appendChild(label);
        var badge = element('span', 'tp-badge', shown);
        var look = data.look[shown];
        if (look) { badge.style.background = look[0]; badge.style.color = look[1]; }
        item.appendChild(badge);
        if (conn.listener) item.appendChild(element('span', 'tp-small', w.listener));
        if (gone) item.appendChild(element('span', 'tp-small', w.deleted));
        list.appendChild(item);
      });
      if (more) list.appendChild(element('li', 'tp-small', w.more(more)));
      var count = element('p', 'tp-count', w.connections(counted, established));
      count.setAttribute('data-connections', String(counted));
      count.setAttribute('data-established', String(established));
      column.appendChild(count);
      if (!list.firstChild) list.appendChild(element('li', 'tp-small', w.noConnection));
      column.appendChild(list);
      box.appendChild(column);
    });
  }

  // ---------------------------------------------------------------- the player
  // options: layout 'side' (the --html page) or 'top' (the playground); hash: follow the
  // address (#step-N); onDiagramClick(step, node, event): true when it handled the click.
  function Player(root, options) {
    this.root = root;
    this.options = options || {};
    this.lang = 'en';
    this.data = null;
    this.current = 0;
    this.timer = null;
    this.settings = {speed: 1, reveal: 'hide', textbook: false, window: true, zoom: 0,
                     presenting: false};
    this.build();
    this.wire();
  }

  Player.prototype.build = function () {
    var root = this.root;
    var keep = root.querySelector('svg');  // the --html page brings its diagram with it
    clear(root);
    root.classList.add('tp-root', 'tp-layout-' + (this.options.layout || 'side'));
    var stage = element('div', 'tp-stage tp-card');
    var companion = element('div', 'tp-pane tp-companion');
    companion.hidden = true;
    companion.id = 'pane-a';
    companion.appendChild(element('h2', 'tp-pane-title'));
    companion.appendChild(element('div', 'tp-states tp-companion-states'));
    companion.appendChild(element('div', 'tp-diagram tp-companion-diagram'));
    var main = element('div', 'tp-pane tp-main');
    main.id = 'pane-b';
    var mainTitle = element('h2', 'tp-pane-title');
    mainTitle.id = 'title-b';
    main.appendChild(mainTitle);
    var diagram = element('div', 'tp-diagram');
    diagram.id = 'diagram';
    if (keep) diagram.appendChild(keep);
    main.appendChild(diagram);
    stage.appendChild(companion);
    stage.appendChild(main);

    var panel = element('aside', 'tp-panel tp-card');
    panel.id = 'panel';
    var head = element('div', 'tp-head');
    var title = element('h1', 'tp-title');
    title.id = 'page-title';
    head.appendChild(title);
    var bar = element('div', 'tp-bar');
    var ids = ['first', 'prev', 'play', 'next', 'last'];
    var self = this;
    this.buttons = {};
    ids.forEach(function (id) {
      var node = button(id);
      self.buttons[id] = node;
      bar.appendChild(node);
    });
    var position = element('span', 'tp-position');
    position.id = 'position';
    bar.appendChild(position);
    head.appendChild(bar);
    var more = element('div', 'tp-options');
    var speed = element('select');
    speed.id = 'speed';
    SPEEDS.forEach(function (value) { speed.appendChild(new Option(value + '\u00d7', value)); });
    more.appendChild(speed);
    var reveal = element('select');
    reveal.id = 'reveal';
    ['hide', 'faint', 'all'].forEach(function (value) {
      reveal.appendChild(new Option(value, value));
    });
    more.appendChild(reveal);
    ['textbook', 'window', 'zoom', 'present'].forEach(function (id) {
      var node = button(id);
      self.buttons[id] = node;
      more.appendChild(node);
    });
    head.appendChild(more);
    panel.appendChild(head);
    var text = element('div', 'tp-text');
    var when = element('p', 'tp-when');
    when.id = 'when';
    var segment = element('p', 'tp-segment');
    segment.id = 'segment';
    var narration = element('p', 'tp-narration');
    narration.id = 'narration';
    narration.setAttribute('aria-live', 'polite');
    var reason = element('p', 'tp-reason');
    reason.id = 'reason';
    text.appendChild(when);
    text.appendChild(segment);
    text.appendChild(narration);
    text.appendChild(reason);
    panel.appendChild(text);
    var states = element('div', 'tp-states');
    states.id = 'states';
    var help = element('p', 'tp-help');
    help.id = 'help';
    panel.appendChild(help);
    root.appendChild(stage);
    root.appendChild(panel);
    this.nodes = {stage: stage, companion: companion, main: main, diagram: diagram,
                  mainTitle: mainTitle, title: title, position: position, speed: speed,
                  reveal: reveal, when: when, segment: segment, narration: narration,
                  reason: reason, states: states, help: help, text: text, panel: panel};
    this.placeStates();
  };

  // What each side believes: in the panel under the sentence; with the panel above the
  // diagram (the playground), over the diagram, as the companion's are over its own.
  Player.prototype.placeStates = function () {
    var states = this.nodes.states;
    if ((this.options.layout || 'side') === 'top' && !this.settings.presenting) {
      this.nodes.main.insertBefore(states, this.nodes.diagram);
    } else {
      this.nodes.panel.insertBefore(states, this.nodes.help);
    }
  };

  // The interface's words in the page's language.
  Player.prototype.label = function () {
    var w = words(this.lang);
    var b = this.buttons;
    b.first.textContent = '\u25C0\u25C0';
    b.first.title = w.first;
    b.prev.textContent = w.prev;
    b.prev.title = w.prevTitle;
    b.next.textContent = w.next;
    b.next.title = w.nextTitle;
    b.last.textContent = '\u25B6\u25B6';
    b.last.title = w.last;
    b.play.textContent = this.timer ? w.pause : w.play;
    b.play.title = w.playTitle;
    this.nodes.speed.title = w.speedTitle;
    this.nodes.reveal.title = w.revealTitle;
    var reveal = this.nodes.reveal.options;
    reveal[0].textContent = w.revealHide;
    reveal[1].textContent = w.revealFaint;
    reveal[2].textContent = w.revealAll;
    b.textbook.textContent = w.textbook;
    b.textbook.title = w.textbookTitle;
    b.window.textContent = w.window;
    b.window.title = w.windowTitle;
    b.present.textContent = this.settings.presenting ? w.leave : w.present;
    b.present.title = w.presentTitle;
    b.zoom.textContent = this.settings.presenting
      ? (this.settings.zoom === 0 ? w.zoomReadable : this.settings.zoom < 0 ? w.zoomWhole
         : Math.round(this.settings.zoom * 100) + ' %')
      : this.settings.zoom ? w.zoomActual : w.zoomFit;
    b.zoom.title = w.zoomTitle;
    b.textbook.setAttribute('aria-pressed', String(this.settings.textbook));
    b.window.setAttribute('aria-pressed', String(this.settings.window));
    b.present.setAttribute('aria-pressed', String(this.settings.presenting));
    this.nodes.speed.value = String(this.settings.speed);
    this.nodes.reveal.value = this.settings.reveal;
    var help = this.nodes.help;
    clear(help);
    w.help.forEach(function (entry, index) {
      if (index > 0) help.appendChild(document.createTextNode(entry[0].length ? ', ' : '. '));
      entry[0].forEach(function (key) {
        help.appendChild(element('kbd', '', key));
        help.appendChild(document.createTextNode(' '));
      });
      help.appendChild(document.createTextNode(entry[1]));
    });
  };

  Player.prototype.wire = function () {
    var self = this;
    var b = this.buttons;
    b.first.addEventListener('click', function () { self.stop(); self.show(0); });
    b.prev.addEventListener('click', function () { self.stop(); self.show(self.current - 1); });
    b.next.addEventListener('click', function () { self.stop(); self.show(self.current + 1); });
    b.last.addEventListener('click', function () { self.stop(); self.show(self.last()); });
    b.play.addEventListener('click', function () { self.toggle(); });
    b.textbook.addEventListener('click', function () {
      self.set('textbook', !self.settings.textbook);
    });
    b.window.addEventListener('click', function () { self.set('window', !self.settings.window); });
    b.present.addEventListener('click', function () { self.present(!self.settings.presenting); });
    b.zoom.addEventListener('click', function () { self.zoom(); });
    this.nodes.speed.addEventListener('change', function () {
      self.set('speed', Number(self.nodes.speed.value));
    });
    this.nodes.reveal.addEventListener('change', function () {
      self.set('reveal', self.nodes.reveal.value);
    });
    this.nodes.diagram.addEventListener('click', function (event) {
      var node = event.target.closest ? event.target.closest('[data-step]') : null;
      if (!node || !self.data) return;
      var step = parseInt(node.getAttribute('data-step'), 10);
      if (self.options.onDiagramClick && self.options.onDiagramClick(step, node, event)) return;
      self.stop();
      self.show(step);
    });
    document.addEventListener('keydown', function (event) { self.key(event); });
    window.addEventListener('resize', function () { if (self.settings.presenting) self.fit(); });
  };

  Player.prototype.key = function (event) {
    if (!this.data || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target && event.target.tagName;
    if (target === 'TEXTAREA' || target === 'INPUT' || target === 'SELECT') return;
    var key = event.key;
    var moves = {ArrowRight: this.current + 1, ArrowLeft: this.current - 1, Home: 0,
                 End: this.last(), PageDown: this.current + 10, PageUp: this.current - 10};
    if (key in moves) {
      event.preventDefault();
      this.stop();
      this.show(moves[key]);
      return;
    }
    var lower = key.length === 1 ? key.toLowerCase() : key;
    var index = SPEEDS.indexOf(this.settings.speed);
    if (key === ' ' && target !== 'BUTTON') this.toggle();
    else if (key === '+' || key === '=') {
      this.set('speed', SPEEDS[Math.min(SPEEDS.length - 1, index + 1)]);
    }
    else if (key === '-' || key === '_') this.set('speed', SPEEDS[Math.max(0, index - 1)]);
    else if (lower === 'r') {
      var order = ['hide', 'faint', 'all'];
      this.set('reveal', order[(order.indexOf(this.settings.reveal) + 1) % order.length]);
    } else if (lower === 't') this.set('textbook', !this.settings.textbook);
    else if (lower === 'w') this.set('window', !this.settings.window);
    else if (lower === 'p') this.present(!this.settings.presenting);
    else if (lower === 'z') this.zoom();
    else if (key === 'Escape' && this.settings.presenting) this.present(false);
    else return;
    event.preventDefault();
  };

  Player.prototype.last = function () { return this.data ? this.data.steps.length - 1 : 0; };

  // A run to step through: its steps (html_steps_json) and, unless the page brought it, its
  // diagram (render_svg). `at`: the step to show (default: the first, or the address's).
  Player.prototype.load = function (data, svg, at) {
    this.stop();
    this.data = data;
    this.lang = WORDS[data.lang] ? data.lang : 'en';
    if (svg !== undefined && svg !== null) this.nodes.diagram.innerHTML = svg;
    this.nodes.title.textContent = data.name || '';
    this.index();
    this.label();
    this.applyLabels();
    var wanted = at;
    if (wanted === undefined && this.options.hash) {
      var match = /^#step-(\d+)$/.exec(location.hash);
      if (match) wanted = parseInt(match[1], 10) - 1;
    }
    this.show(wanted === undefined ? 0 : wanted);
    if (this.settings.presenting) this.fit();
  };

  // The diagram's elements by step, each label with its box, and where each step's moment is.
  Player.prototype.index = function () {
    var steps = this.data.steps;
    var svg = this.nodes.diagram.querySelector('svg');
    this.svg = svg;
    this.byStep = [];
    this.all = [];
    this.labels = [];
    this.anchors = [];
    this.clip = null;
    if (!svg) return;
    var self = this;
    Array.prototype.forEach.call(svg.querySelectorAll('[data-step]'), function (node) {
      var step = parseInt(node.getAttribute('data-step'), 10);
      var item = {node: node, step: step};
      self.all.push(item);
      (self.byStep[step] = self.byStep[step] || []).push(node);
      // A burst's summary (several lost segments) is no one segment's label: left as drawn.
      if (node.tagName === 'text' && node.classList.contains('seglabel') &&
          !node.classList.contains('burst')) {
        var box = node.previousElementSibling;
        if (box && box.tagName !== 'rect') box = null;
        if (box) self.all.push({node: box, step: step});  // hidden with its label
        var key = steps[step] && steps[step].g;
        var segment = key !== undefined ? self.data.segs[key] : null;
        if (segment) self.labels.push({node: node, box: box, segment: segment});
      }
    });
    // The lifelines, grid, times and breaks have no step: in the reveal they are cut at the
    // current moment, the top of the step's elements (running maximum: time runs down).
    var cut = 0;
    for (var step = 0; step < steps.length; ++step) {
      var top = Infinity;
      (this.byStep[step] || []).forEach(function (node) {
        try {
          var box = node.getBBox();
          if (box.width || box.height) top = Math.min(top, box.y);
        } catch (e) { /* not rendered */ }
      });
      if (top !== Infinity) cut = Math.max(cut, top + 10);
      this.anchors[step] = cut;
    }
    var ns = 'http://www.w3.org/2000/svg';
    var defs = document.createElementNS(ns, 'defs');
    var clip = document.createElementNS(ns, 'clipPath');
    this.clipId = (svg.id || 'tp') + '-reveal-' + Math.floor(Math.random() * 1e9);
    clip.setAttribute('id', this.clipId);
    var rect = document.createElementNS(ns, 'rect');
    rect.setAttribute('x', '0');
    rect.setAttribute('y', '0');
    rect.setAttribute('width', svg.getAttribute('width') || '100000');
    rect.setAttribute('height', '0');
    clip.appendChild(rect);
    defs.appendChild(clip);
    svg.insertBefore(defs, svg.firstChild);
    this.clip = rect;
    this.timeless = Array.prototype.slice.call(
      svg.querySelectorAll('g.lifelines, g.grid, g.times, g.breaks'));
  };

  // The label of a segment as the settings want it: the diagram's, or the textbook's; the
  // window on every segment, or only when it is 0, where the diagram writes it (before len=).
  Player.prototype.labelText = function (segment) {
    var textbook = this.settings.textbook;
    var text = textbook ? (segment.o ? segment.o + ' ' : '') + segment.tb : segment.l;
    if (this.settings.window || (segment.w === 0 && !segment.rst)) text += ' win=' + segment.w;
    return text + (textbook ? '' : segment.len) + segment.x;
  };

  Player.prototype.applyLabels = function () {
    var self = this;
    this.labels.forEach(function (item) {
      var text = self.labelText(item.segment);
      if (item.node.textContent === text) return;
      item.node.textContent = text;
      if (!item.box) return;
      var width = 0;
      try { width = item.node.getComputedTextLength(); } catch (e) { width = 0; }
      if (!width) return;
      var centre = Number(item.node.getAttribute('x'));
      item.box.setAttribute('x', String(Math.round(centre - width / 2 - 4)));
      item.box.setAttribute('width', String(Math.round(width + 8)));
    });
  };

  Player.prototype.segmentText = function (step) {
    var segment = step.g !== undefined ? this.data.segs[step.g] : null;
    return segment ? step.g + ' ' + this.labelText(segment).replace(/^#\S+ /, '') : '';
  };

  Player.prototype.show = function (index) {
    if (!this.data || !this.data.steps.length) return;
    var steps = this.data.steps;
    index = Math.max(0, Math.min(steps.length - 1, index));
    this.current = index;
    var step = steps[index];
    var reveal = this.settings.reveal;
    var diagram = this.nodes.diagram;
    diagram.classList.toggle('tp-reveal-hide', reveal === 'hide');
    diagram.classList.toggle('tp-reveal-faint', reveal === 'faint');
    var lit = [];
    this.all.forEach(function (item) {
      item.node.classList.toggle('tp-future', item.step > index);
      var current = item.step === index && item.node.hasAttribute('data-step');
      item.node.classList.toggle('current', current);
      if (current) lit.push(item.node);
    });
    if (this.clip) {
      var hide = reveal === 'hide';
      this.clip.setAttribute('height', String(Math.round(this.anchors[index] || 0)));
      var clipId = this.clipId;
      this.timeless.forEach(function (group) {
        if (hide) group.setAttribute('clip-path', 'url(#' + clipId + ')');
        else group.removeAttribute('clip-path');
      });
    }
    var w = words(this.lang);
    document.body.setAttribute('data-step', String(index));
    this.nodes.position.textContent = w.position(index + 1, steps.length);
    this.nodes.when.textContent = step.t + ' s \u00b7 ' + (w.kinds[step.k] || step.k) +
      (step.h ? ' \u00b7 ' + step.h : '') + (step.c ? ' \u00b7 ' + step.c : '') +
      (step.i ? ' \u00b7 ' + w.idle(step.i) : '');
    this.nodes.segment.textContent = this.segmentText(step);
    var narration = step.n;
    if (!this.settings.window) narration = narration.replace(/ win=(?!0\b)\d+/g, '');
    this.nodes.narration.textContent = narration;
    this.nodes.reason.textContent = step.r ? w.why + step.r : '';
    renderStates(this.nodes.states, this.data, index, this.lang);
    var b = this.buttons;
    b.first.disabled = b.prev.disabled = index === 0;
    b.next.disabled = b.last.disabled = index === steps.length - 1;
    if (lit.length) this.follow(lit[0]);
    if (this.options.hash) {
      try { history.replaceState(null, '', '#step-' + (index + 1)); } catch (e) { /* file: */ }
    }
    if (this.options.onStep) this.options.onStep(index);
  };

  // Keeps the current step in view: in its scrolling diagram, or the window. In presentation
  // the step stays at 70 % of the diagram's height (what led to it above), and across only
  // when it is out of view.
  Player.prototype.follow = function (node) {
    var frame = this.nodes.diagram.getBoundingClientRect();
    var box = node.getBoundingClientRect();
    if (this.settings.presenting) {
      var stage = this.nodes.diagram;
      stage.scrollTop += (box.top + box.bottom) / 2 - (frame.top + 0.7 * frame.height);
      if (box.right < frame.left || box.left > frame.right) {
        stage.scrollLeft += (box.left + box.right) / 2 - (frame.left + frame.right) / 2;
      }
      return;
    }
    var scrolls = this.nodes.diagram.scrollHeight > this.nodes.diagram.clientHeight + 1 ||
      this.nodes.diagram.scrollWidth > this.nodes.diagram.clientWidth + 1;
    var top = scrolls ? frame.top : 0;
    var bottom = scrolls ? frame.bottom : window.innerHeight;
    var inside = box.top >= top && box.bottom <= bottom && box.left >= frame.left &&
      box.right <= frame.right;
    if (inside) return;
    if (scrolls) {
      var diagram = this.nodes.diagram;
      diagram.scrollTop += (box.top + box.bottom) / 2 - (frame.top + frame.bottom) / 2;
      if (box.left < frame.left || box.right > frame.right) {
        diagram.scrollLeft += (box.left + box.right) / 2 - (frame.left + frame.right) / 2;
      }
    } else {
      node.scrollIntoView({block: 'center', inline: 'nearest'});
    }
  };

  Player.prototype.set = function (name, value) {
    this.settings[name] = value;
    this.label();
    if (name === 'textbook' || name === 'window') this.applyLabels();
    if (name === 'speed' && this.timer) { this.stop(); this.play(); }
    if (this.data) this.show(this.current);
  };

  // Autoplay: the pause before each step is its beats (the run's own time, idle gaps
  // compressed: views/html.cpp) at the chosen speed.
  Player.prototype.delayBefore = function (index) {
    var step = this.data.steps[index];
    var beats = step && step.p !== undefined ? step.p / 10 : 1;
    return beats * BEAT_MS / this.settings.speed;
  };
  Player.prototype.play = function () {
    var self = this;
    if (!this.data) return;
    if (this.current >= this.last()) this.show(0);
    var tick = function () {
      if (self.current >= self.last()) { self.stop(); return; }
      self.show(self.current + 1);
      if (self.current >= self.last()) { self.stop(); return; }
      self.timer = setTimeout(tick, self.delayBefore(self.current + 1));
    };
    this.timer = setTimeout(tick, this.delayBefore(this.current + 1));
    this.label();
    this.root.setAttribute('data-playing', 'true');
  };
  Player.prototype.stop = function () {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.root.removeAttribute('data-playing');
    if (this.buttons) this.label();
  };
  Player.prototype.toggle = function () { if (this.timer) this.stop(); else this.play(); };

  Player.prototype.zoom = function () {
    if (this.settings.presenting) {
      var index = ZOOMS.indexOf(this.settings.zoom);
      this.settings.zoom = ZOOMS[(index + 1) % ZOOMS.length];
      this.fit();
    } else {
      this.settings.zoom = this.settings.zoom ? 0 : 1;
      this.root.classList.toggle('tp-actual-size', !!this.settings.zoom);
    }
    this.label();
    if (this.data) this.show(this.current);
  };

  // Presentation mode: the whole window; the diagram, cropped to what is drawn under the
  // title, as wide as the window allows with its text at least READABLE_PX.
  Player.prototype.present = function (on) {
    this.settings.presenting = on;
    this.root.classList.toggle('tp-presenting', on);
    this.placeStates();
    document.documentElement.style.overflow = on ? 'hidden' : '';
    if (on) {
      this.settings.zoom = 0;
      this.root.classList.remove('tp-actual-size');
    }
    this.fit();
    this.label();
    if (this.data) this.show(this.current);
  };

  Player.prototype.fit = function () {
    var svg = this.svg;
    if (!svg) return;
    if (!this.settings.presenting) {
      if (this.viewBox) svg.setAttribute('viewBox', this.viewBox);
      svg.style.width = svg.style.height = '';
      return;
    }
    if (!this.viewBox) this.viewBox = svg.getAttribute('viewBox');
    var crop = this.crop || (this.crop = this.drawnBox());
    svg.setAttribute('viewBox', crop.x + ' ' + crop.y + ' ' + crop.width + ' ' + crop.height);
    var room = this.nodes.diagram.clientWidth - 4;
    var zoom = this.settings.zoom;
    var fit = room / crop.width;
    var scale = zoom > 0 ? zoom : zoom < 0 ? fit : Math.max(fit, READABLE_PX / 12);
    svg.style.width = Math.round(crop.width * scale) + 'px';
    svg.style.height = Math.round(crop.height * scale) + 'px';
    this.root.setAttribute('data-scale', String(Math.round(scale * 100) / 100));
    // Across: the two hosts' lifelines in the middle.
    var lines = Array.prototype.map.call(svg.querySelectorAll('g.lifelines > line'),
                                         function (line) {
                                           return Number(line.getAttribute('x1'));
                                         });
    if (lines.length) {
      var middle = (Math.min.apply(null, lines) + Math.max.apply(null, lines)) / 2;
      var diagram = this.nodes.diagram;
      diagram.scrollLeft = (middle - crop.x) * scale - diagram.clientWidth / 2;
    }
  };

  // The diagram below its title and description: host names, lifelines and every step (not
  // the time column: the step's time is written under the diagram).
  Player.prototype.drawnBox = function () {
    var svg = this.svg;
    var left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    var nodes = Array.prototype.slice.call(svg.querySelectorAll(
      '[data-step], text.host, text.addr, g.lifelines'));
    nodes.forEach(function (node) {
      var box;
      try { box = node.getBBox(); } catch (e) { return; }
      if (!box.width && !box.height) return;
      left = Math.min(left, box.x);
      top = Math.min(top, box.y);
      right = Math.max(right, box.x + box.width);
      bottom = Math.max(bottom, box.y + box.height);
    });
    if (left === Infinity) {
      var whole = (this.viewBox || '0 0 800 600').split(/\s+/).map(Number);
      return {x: whole[0], y: whole[1], width: whole[2], height: whole[3]};
    }
    var margin = 8;
    return {x: Math.floor(left - margin), y: Math.floor(top - margin),
            width: Math.ceil(right - left + 2 * margin),
            height: Math.ceil(bottom - top + 2 * margin)};
  };

  // The playground's comparison: another run beside this one, at its end.
  Player.prototype.setCompanion = function (companion) {
    var pane = this.nodes.companion;
    pane.hidden = !companion;
    this.nodes.mainTitle.textContent = companion ? companion.mainTitle || '' : '';
    if (!companion) {
      clear(pane.querySelector('.tp-companion-diagram'));
      clear(pane.querySelector('.tp-companion-states'));
      return;
    }
    pane.querySelector('.tp-pane-title').textContent = companion.title;
    var box = pane.querySelector('.tp-companion-diagram');
    var states = pane.querySelector('.tp-companion-states');
    if (companion.data) {
      box.innerHTML = companion.svg;
      renderStates(states, companion.data, companion.data.steps.length - 1, this.lang);
    } else {
      box.textContent = companion.error || '';
      clear(states);
    }
  };

  global.TcpsimPage = {
    create: function (root, options) { return new Player(root, options); },
    renderStates: renderStates,
    words: WORDS
  };

  // `tcpsim run --html`: the page carries its diagram and steps.
  var embedded = document.getElementById('tcpsim-steps');
  var page = document.getElementById('tcpsim-page');
  if (embedded && page) {
    var player = new Player(page, {layout: 'side', hash: true});
    player.load(JSON.parse(embedded.textContent));
    global.tcpsimPlayer = player;
  }
})(window);
