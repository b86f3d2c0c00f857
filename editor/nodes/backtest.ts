import { tabs as dialogTabs } from '../shared/tabs';
import { adoptOnlyConfig } from '../shared/validators';
import { backtestSpec } from '../../nodes/tradebot-backtest/spec';
import { fromSpec } from '../shared/definition';
import { isNum } from '../shared/values';

export const backtest = (): NodeDefinition => {
  var OBJECTIVES = [
    ['sharpe', 'Sharpe ratio'], ['sortino', 'Sortino ratio'], ['calmar', 'Calmar ratio (annual return / max drawdown)'],
    ['totalReturn', 'total return'], ['profitFactor', 'profit factor'],
  ];
  var SEARCHES = [['grid', 'grid: every combination'], ['random', 'random: a number of samples'], ['tpe', 'model-based (TPE): a number of samples']];
  var TYPE_LABELS = { 'tradebot-strategy': 'strategy', 'tradebot-indicator': 'indicator', 'tradebot-risk-gate': 'risk gate' };
  /** How often the dialog re-reads the optimisation's progress while it runs. */
  var POLL_MS = 2000;
  /** Runs the dialog offers to apply: the best ones by score. */
  var APPLY_TOP = 5;
  /** The dialog's poll timer (one dialog at a time). */
  var poll: any = null;
  /** The node as the workspace shows it ("EMA 9/21 cross (strategy)"), or its kind and id. */
  function nodeLabel(n) {
    var kind = TYPE_LABELS[n.type] || n.type;
    var label = '';
    try {
      label = RED.utils.getNodeLabel(n, '');
    } catch (err) {
      label = n.name || '';
    }
    return label ? label + ' (' + kind + ')' : kind + ' ' + n.id;
  }
  /** The value at a dotted path (`indicators.0.period`) of a node in the editor, or undefined. */
  function getPath(obj, path) {
    var parts = String(path).split('.');
    for (var i = 0; i < parts.length; i++) {
      if (obj === null || obj === undefined || typeof obj !== 'object') return undefined;
      obj = obj[parts[i]];
    }
    return obj;
  }
  function clone(v) {
    return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
  }
  function valueText(v) {
    return v === undefined || v === null ? '' : String(v);
  }
  /** What the server said (its sentence), or a short reason. */
  function serverText(xhr, what) {
    var t = xhr && typeof xhr.responseText === 'string' ? xhr.responseText.trim() : '';
    if (xhr && (xhr.status === 401 || xhr.status === 403)) return 'No access to ' + what + ' (needs the tradebot-backtest permissions).';
    if (t && t.charAt(0) !== '<' && t.length < 600) return t;
    return what + ': ' + ((xhr && xhr.statusText) || 'the runtime did not answer') + '.';
  }
  function withToken(url) {
    // With adminAuth on, a page opened in a new tab has no Authorization header: the token goes in the URL.
    var tokens = RED.settings.get('auth-tokens');
    return tokens && tokens.access_token ? url + '?access_token=' + encodeURIComponent(tokens.access_token) : url;
  }

  /**
   * Writes the settings of an optimisation run ([{node, param, value}], as optimise.json gives
   * them) into the nodes in the editor: each dotted path set on the node, the node marked
   * changed, the workspace dirty (the user deploys), one undo step for all of it. A value goes
   * in with the type the setting has now: text where the editor keeps text (a rule operand, a
   * number typed in a field), a number where it keeps a number. Returns what was applied and
   * what could not be (per node: "EMA 9/21 cross (strategy): fastPeriod = 7, slowPeriod = 30").
   */
  function applySettings(settings) {
    var applied: any[] = [];
    var problems: any[] = [];
    var edits = {};
    var labels = {};
    var set = {};
    var order: any[] = [];
    var wasDirty = RED.nodes.dirty();
    (settings || []).forEach(function (s) {
      var n = RED.nodes.node(s.node);
      if (!n) return problems.push(s.param + ': no node ' + s.node + ' in the editor (deleted?)');
      var parts = String(s.param).split('.');
      var last = parts.pop() as string;
      var holder = n;
      for (var i = 0; i < parts.length && holder !== null && holder !== undefined; i++) holder = typeof holder === 'object' ? holder[parts[i]] : undefined;
      var known = holder !== null && typeof holder === 'object' && (holder !== n ? true : !!(n._def && n._def.defaults && n._def.defaults[last]));
      if (!known) return problems.push(nodeLabel(n) + ' has no setting ' + s.param + ' (changed since the run?)');
      var old = holder[last];
      var value = typeof old === 'string' ? String(s.value) : typeof old === 'number' && typeof s.value === 'string' && isNum(s.value) ? Number(s.value) : s.value;
      var edit = edits[n.id];
      if (!edit) {
        edit = edits[n.id] = { t: 'edit', node: n, changes: {}, changed: n.changed, dirty: wasDirty };
        // Named as the user knew it before the change (a strategy's label shows its periods).
        labels[n.id] = nodeLabel(n);
        set[n.id] = [];
        order.push(n.id);
      }
      var top = parts.length ? parts[0] : last;
      if (!Object.prototype.hasOwnProperty.call(edit.changes, top)) edit.changes[top] = clone(n[top]);
      holder[last] = value;
      set[n.id].push(s.param + ' = ' + valueText(value));
    });
    order.forEach(function (id) {
      applied.push(labels[id] + ': ' + set[id].join(', '));
    });
    if (order.length) {
      var events = order.map(function (id) {
        var e = edits[id];
        e.node.changed = true;
        e.node.dirty = true;
        try {
          RED.editor.validateNode(e.node);
        } catch (err) {
          // the validity mark is a nicety: the deploy validates again
        }
        return e;
      });
      RED.history.push(events.length === 1 ? events[0] : { t: 'multi', events: events, dirty: wasDirty });
      RED.nodes.dirty(true);
      RED.view.redraw(true);
    }
    return { applied: applied, problems: problems };
  }

  const definition: NodeDefinition = fromSpec(backtestSpec, {
    // A node from the palette takes the flow's only exchange config node, if there is exactly one.
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
    button: {
      onclick: function () {
        var node = this;
        $.ajax({ url: 'tradebot/backtest/' + this.id, type: 'POST' }).fail(function () {
          RED.notify('Deploy first, then press the button to run the backtest.', 'warning');
        });
      },
      enabled: function () {
        return !this.changed;
      },
    },
    oneditprepare: function () {
      var node = this;
      var tabs = dialogTabs('tradebot-backtest', [['run', 'Backtest'], ['optimise', 'Optimise']]);

      // The report page of the last run, on the admin server (relative URL: works under any httpAdminRoot).
      var $link = $('#node-tradebot-backtest-report');
      var $info = $('#node-tradebot-backtest-report-info');
      var page = 'tradebot/backtest/' + encodeURIComponent(this.id) + '/report';
      function disable(text) {
        $link.addClass('disabled').attr('aria-disabled', 'true').removeAttr('href');
        $info.text(text);
      }
      $link.on('click', function (e) {
        if ($link.hasClass('disabled')) return e.preventDefault();
        $link.attr('href', withToken(page));
      });
      disable('Looking for a report...');
      $.ajax({ url: page + '.json?summary=1', dataType: 'json', cache: false })
        .done(function (s) {
          $link.removeClass('disabled').removeAttr('aria-disabled').attr('href', page);
          $info.text('Last run: ' + String(s.ranAt).replace('T', ' ').replace(/\.\d+Z$/, ' UTC') + ', ' + s.candles + ' candles, ' + s.tradeCount + ' trades, return ' + (100 * s.totalReturn).toFixed(2) + ' %. The page opens in a new tab.');
        })
        .fail(function (xhr) {
          if (xhr.status === 404 && xhr.responseText) disable(xhr.responseText);
          else if (xhr.status === 401 || xhr.status === 403) disable('No access to the report (needs the tradebot-backtest.read permission).');
          else disable('No report: ' + (xhr.statusText || 'the runtime did not answer') + '.');
        });

      prepareOptimiseTab(node, tabs);
    },
    oneditsave: function () {
      stopPolling();
      this.optimise = sweepFromDialog();
    },
    oneditcancel: function () {
      stopPolling();
    },
  });
  // Its label stays upright when named, as it always was.
  delete definition.labelStyle;

  function stopPolling() {
    if (poll) clearTimeout(poll);
    poll = null;
  }

  // ------------------------------------------------------------------ the Optimise tab

  /** The tunable node types and their settings (GET tradebot/optimise/tunable), asked once per editor session. */
  var tunableTypes: any = null;
  function loadTunableTypes() {
    if (!tunableTypes) {
      tunableTypes = $.ajax({ url: 'tradebot/optimise/tunable', dataType: 'json', cache: false });
      tunableTypes.fail(function () {
        tunableTypes = null; // ask again next time
      });
    }
    return tunableTypes;
  }

  /** The settings of this node that may vary, as the editor holds it now (POST tradebot/optimise/tunable). */
  function loadTunableParams(n) {
    var config = {};
    ['strategy', 'indicators', 'entryRules', 'exitRules'].forEach(function (k) {
      if (n[k] !== undefined) config[k] = clone(n[k]);
    });
    return $.ajax({ url: 'tradebot/optimise/tunable', type: 'POST', contentType: 'application/json', data: JSON.stringify({ type: n.type, config: config }), dataType: 'json' });
  }

  /** Splits "5, 10, sma" into [5, 10, "sma"]: numbers as numbers, true/false as booleans, the rest as text. */
  function parseList(text) {
    return String(text)
      .split(',')
      .map(function (v) { return v.trim(); })
      .filter(function (v) { return v !== ''; })
      .map(function (v) {
        if (isNum(v)) return Number(v);
        if (v === 'true' || v === 'false') return v === 'true';
        return v;
      });
  }
  /** A number field: the number, or what was typed (the runtime's check names the field). */
  function numberOf(v) {
    v = String(v).trim();
    return isNum(v) ? Number(v) : v;
  }

  /** The sweep as the dialog shows it, in the format of msg.optimise; null without a parameter. */
  function sweepFromDialog() {
    var params: any[] = [];
    $('#tradebot-optimise-params').editableList('items').each(function () {
      var row = $(this).data('tradebotOptimiseRow');
      var value = row ? row.value() : null;
      // A row added and left without a node or a setting is nothing to vary: it is not kept.
      if (value && (value.node || value.param)) params.push(value);
    });
    if (!params.length) return null;
    var search = $('#tradebot-optimise-search').val();
    var sweep: Record<string, any> = { params: params, search: search };
    if (search !== 'grid') sweep.samples = numberOf($('#tradebot-optimise-samples').val());
    sweep.seed = numberOf($('#tradebot-optimise-seed').val() || '1');
    sweep.objective = $('#tradebot-optimise-objective').val();
    sweep.minTrades = numberOf($('#tradebot-optimise-min-trades').val() || '0');
    if ($('#tradebot-optimise-wf').prop('checked')) {
      sweep.walkForward = {
        windows: numberOf($('#tradebot-optimise-wf-windows').val()),
        inSamplePct: numberOf($('#tradebot-optimise-wf-in-sample').val()),
        anchored: $('#tradebot-optimise-wf-anchored').prop('checked'),
      };
    }
    return sweep;
  }

  function prepareOptimiseTab(node, tabs) {
    var saved = node.optimise && typeof node.optimise === 'object' ? node.optimise : {};
    var $list = $('#tradebot-optimise-params');
    var paramsCache = {};
    function tunableOf(n) {
      if (!paramsCache[n.id]) paramsCache[n.id] = loadTunableParams(n);
      return paramsCache[n.id];
    }

    $list.css('min-height', '120px').css('min-width', '450px').editableList({
      addButton: 'parameter',
      height: 'auto',
      sortable: true,
      removable: true,
      removeItem: function () {
        tabs.mark();
      },
      addItem: function (container, i, data) {
        var p = data && data.node ? data : {};
        container.css({ overflow: 'hidden', whiteSpace: 'nowrap' });
        var line1 = $('<div/>', { style: 'display: flex; align-items: center; gap: 6px' }).appendTo(container);
        var nodeField = $('<select/>', { class: 'tradebot-optimise-node', style: 'flex: 1 1 50%; width: auto; margin: 0' }).appendTo(line1);
        var paramField = $('<select/>', { class: 'tradebot-optimise-param', style: 'flex: 1 1 50%; width: auto; margin: 0' }).appendTo(line1);
        var line2 = $('<div/>', { style: 'display: flex; align-items: center; gap: 6px; padding-top: 6px' }).appendTo(container);
        var modeField = $('<select/>', { class: 'tradebot-optimise-mode', style: 'width: 90px; margin: 0' }).appendTo(line2);
        $('<option/>').val('range').text('range').appendTo(modeField);
        $('<option/>').val('list').text('list').appendTo(modeField);
        var rangeBox = $('<span/>', { style: 'display: inline-flex; align-items: center; gap: 4px' }).appendTo(line2);
        function numberInput(cls, placeholder) {
          return $('<input/>', { type: 'text', class: cls, placeholder: placeholder, style: 'width: 60px; margin: 0' });
        }
        $('<span/>').text('from').appendTo(rangeBox);
        var fromField = numberInput('tradebot-optimise-from', 'from').appendTo(rangeBox);
        $('<span/>').text('to').appendTo(rangeBox);
        var toField = numberInput('tradebot-optimise-to', 'to').appendTo(rangeBox);
        $('<span/>').text('step').appendTo(rangeBox);
        var stepField = numberInput('tradebot-optimise-step', 'step').appendTo(rangeBox);
        var listField = $('<input/>', { type: 'text', class: 'tradebot-optimise-values', placeholder: 'values, comma separated: 10, 20, 50', style: 'flex: 1 1 auto; width: auto; margin: 0' }).appendTo(line2);

        // The tunable nodes of the workspace: those on this flow tab first.
        function fillNodes(types) {
          var here: any[] = [];
          var other: any[] = [];
          RED.nodes.eachNode(function (n) {
            if (Object.prototype.hasOwnProperty.call(types, n.type)) (n.z === node.z ? here : other).push(n);
          });
          nodeField.empty();
          $('<option/>').val('').text('node...').appendTo(nodeField);
          here.concat(other).forEach(function (n) {
            $('<option/>').val(n.id).text(nodeLabel(n) + (n.z !== node.z ? ' · other tab' : '')).appendTo(nodeField);
          });
          if (p.node && !nodeField.find('option').filter(function () { return this.value === p.node; }).length) {
            $('<option/>').val(p.node).text('missing node ' + p.node).appendTo(nodeField);
          }
          nodeField.val(p.node || '');
        }
        function fillParams(keep) {
          var n = RED.nodes.node(nodeField.val());
          paramField.empty();
          if (!n) {
            $('<option/>').val('').text('setting...').appendTo(paramField);
            return;
          }
          $('<option/>').val('').text('loading...').appendTo(paramField);
          tunableOf(n)
            .done(function (r) {
              if (RED.nodes.node(nodeField.val()) !== n) return;
              paramField.empty();
              $('<option/>').val('').text(r.params.length ? 'setting...' : 'nothing to vary on this node').appendTo(paramField);
              r.params.forEach(function (name) {
                var now = getPath(n, name);
                $('<option/>').val(name).text(name + (now === undefined || now === '' ? '' : ' (now ' + valueText(now) + ')')).appendTo(paramField);
              });
              if (keep && r.params.indexOf(keep) < 0) $('<option/>').val(keep).text(keep + ' (not tunable on this node now)').appendTo(paramField);
              paramField.val(keep || '');
              markBad();
            })
            .fail(function (xhr) {
              paramField.empty();
              $('<option/>').val(keep || '').text(keep || serverText(xhr, 'the tunable settings')).appendTo(paramField);
            });
        }
        function showMode() {
          var list = modeField.val() === 'list';
          rangeBox.toggle(!list);
          listField.toggle(list);
        }
        function markBad() {
          if (modeField.val() === 'range') {
            [fromField, toField, stepField].forEach(function (f) {
              f.toggleClass('input-error', !isNum(f.val()) || (f === stepField && Number(f.val()) <= 0));
            });
            listField.removeClass('input-error');
          } else {
            listField.toggleClass('input-error', parseList(listField.val()).length === 0);
            [fromField, toField, stepField].forEach(function (f) { f.removeClass('input-error'); });
          }
          nodeField.toggleClass('input-error', !nodeField.val());
          paramField.toggleClass('input-error', !paramField.val());
          tabs.mark(); // the tab's warning sign (also after the lists arrive, with no event from the form)
        }

        if (p.values) {
          modeField.val('list');
          listField.val(p.values.map(valueText).join(', '));
        } else {
          modeField.val('range');
          var r = p.range || {};
          fromField.val(valueText(r.from));
          toField.val(valueText(r.to));
          stepField.val(valueText(r.step === undefined && !p.node ? 1 : r.step));
        }
        showMode();
        nodeField.on('change', function () {
          p.node = nodeField.val();
          fillParams('');
          markBad();
        });
        paramField.on('change', markBad);
        modeField.on('change', function () {
          showMode();
          markBad();
        });
        container.on('change keyup input', 'input', markBad);
        $('<option/>').val(p.node || '').text(p.node ? 'loading...' : 'node...').appendTo(nodeField);
        $('<option/>').val(p.param || '').text(p.param || 'setting...').appendTo(paramField);
        loadTunableTypes()
          .done(function (types) {
            fillNodes(types);
            fillParams(p.param || '');
            markBad();
          })
          .fail(function (xhr) {
            RED.notify(serverText(xhr, 'The tunable settings'), 'error');
          });

        container.data('tradebotOptimiseRow', {
          value: function () {
            var out: Record<string, any> = { node: nodeField.val() || p.node || '', param: paramField.val() || '' };
            if (modeField.val() === 'list') out.values = parseList(listField.val());
            else out.range = { from: numberOf(fromField.val()), to: numberOf(toField.val()), step: numberOf(stepField.val()) };
            return out;
          },
        });
      },
    });
    (Array.isArray(saved.params) ? saved.params : []).forEach(function (p) {
      $list.editableList('addItem', clone(p));
    });

    // Search, objective, walk-forward.
    var $search = $('#tradebot-optimise-search').empty();
    SEARCHES.forEach(function (s) { $('<option/>').val(s[0]).text(s[1]).appendTo($search); });
    var $objective = $('#tradebot-optimise-objective').empty();
    OBJECTIVES.forEach(function (o) { $('<option/>').val(o[0]).text(o[1]).appendTo($objective); });
    $search.val(saved.search || 'grid');
    $('#tradebot-optimise-samples').val(valueText(saved.samples === undefined ? 200 : saved.samples));
    $('#tradebot-optimise-seed').val(valueText(saved.seed === undefined ? 1 : saved.seed));
    $objective.val(saved.objective || 'sharpe');
    $('#tradebot-optimise-min-trades').val(valueText(saved.minTrades === undefined ? 5 : saved.minTrades));
    var wf = saved.walkForward;
    $('#tradebot-optimise-wf').prop('checked', !!wf);
    $('#tradebot-optimise-wf-windows').val(valueText(wf ? wf.windows : 4));
    $('#tradebot-optimise-wf-in-sample').val(valueText(wf ? wf.inSamplePct : 75));
    $('#tradebot-optimise-wf-anchored').prop('checked', !!(wf && wf.anchored));
    function showChoices() {
      $('.tradebot-optimise-samples-row').toggle($search.val() !== 'grid');
      $('.tradebot-optimise-wf-row').toggle($('#tradebot-optimise-wf').prop('checked'));
    }
    $search.on('change', showChoices);
    $('#tradebot-optimise-wf').on('change', showChoices);
    showChoices();

    // Run, cancel, results.
    var base = 'tradebot/backtest/' + encodeURIComponent(node.id) + '/optimise';
    var $info = $('#tradebot-optimise-info');
    var $results = $('#tradebot-optimise-results');
    $results.on('click', function (e) {
      if ($results.hasClass('disabled')) return e.preventDefault();
      $results.attr('href', withToken(base));
    });
    function deployed() {
      if (node.changed || !node.exchange) {
        RED.notify('Deploy the flow first: an optimisation runs on the deployed flow, with the settings shown here.', 'warning');
        return false;
      }
      return true;
    }
    $('#tradebot-optimise-run').on('click', function (e) {
      e.preventDefault();
      if (!deployed()) return;
      var sweep = sweepFromDialog();
      if (!sweep) return RED.notify('Add a parameter to vary first.', 'warning');
      $.ajax({ url: base, type: 'POST', contentType: 'application/json', data: JSON.stringify(sweep) })
        .done(function () {
          RED.notify('Optimisation started: its progress is in the node\'s status, here and on the results page.', 'success');
          $info.text('Starting...');
          follow(300, { previous: shownStart, until: Date.now() + 15000 });
        })
        .fail(function (xhr) {
          RED.notify(serverText(xhr, 'The optimisation did not start'), 'error');
        });
    });
    $('#tradebot-optimise-cancel').on('click', function (e) {
      e.preventDefault();
      $.ajax({ url: base + '/cancel', type: 'POST' })
        .done(function () {
          RED.notify('Optimisation canceled.', 'success');
          follow(0);
        })
        .fail(function (xhr) {
          RED.notify(serverText(xhr, 'Cancel'), 'error');
        });
    });

    /** startedAt of the report shown last: after Run, a report with another one is the new optimisation. */
    var shownStart: any = null;
    /**
     * Reads optimise.json: the progress line, and the best runs to apply; again every 2 s while it
     * runs. `waitNew` (after Run): the runtime sets the new report up asynchronously, so for a few
     * seconds a 404 or the previous report means "not there yet", not "none".
     */
    function follow(delay, waitNew?) {
      stopPolling();
      poll = setTimeout(function () {
        poll = null;
        var early = waitNew && Date.now() < waitNew.until;
        $.ajax({ url: base + '.json', dataType: 'json', cache: false })
          .done(function (report) {
            if (!$('#tradebot-optimise-info').length) return; // the dialog closed meanwhile
            if (early && report.startedAt === waitNew.previous && report.state !== 'running') return follow(500, waitNew);
            shownStart = report.startedAt;
            showReport(report);
            if (report.state === 'running') follow(POLL_MS);
          })
          .fail(function (xhr) {
            if (!$('#tradebot-optimise-info').length) return;
            if (early && xhr.status === 404) return follow(500, waitNew);
            $results.addClass('disabled').attr('aria-disabled', 'true').removeAttr('href');
            $info.text(xhr.status === 404 ? serverText(xhr, 'No optimisation yet') : serverText(xhr, 'No optimisation'));
            $('#tradebot-optimise-best').empty();
          });
      }, delay);
    }
    function scoreText(x, objective) {
      if (x === null || x === undefined) return '\u2014';
      return objective === 'totalReturn' ? (100 * x).toFixed(2) + ' %' : Number(x).toFixed(2);
    }
    function settingsText(settings) {
      return settings.map(function (s) { return s.param + ' ' + valueText(s.value); }).join(', ');
    }
    function showReport(report) {
      $results.removeClass('disabled').removeAttr('aria-disabled').attr('href', base);
      var p = report.progress || {};
      var share = p.total ? ' (' + Math.floor((100 * p.done) / p.total) + ' %)' : '';
      var line = report.state + ': ' + p.done + ' of ' + p.total + ' runs' + share;
      if (report.state === 'running') line += ', ' + Number(p.runsPerSecond || 0).toFixed(1) + ' runs/s' + (p.etaSeconds === null || p.etaSeconds === undefined ? '' : ', about ' + Math.round(p.etaSeconds) + ' s left');
      line += ', best ' + (report.state === 'running' ? 'so far ' : '') + scoreText(p.best, report.objective) + ' (' + report.objective + ')';
      if (report.error) line += ': ' + report.error;
      $info.text(line);
      // The best runs by score, best first; then the last walk-forward window's in-sample choice.
      var ranked = (report.runs || []).filter(function (r) { return r.score !== null; }).sort(function (a, b) { return b.score - a.score || a.index - b.index; });
      if (report.best && !ranked.some(function (r) { return r.index === report.best.index; })) ranked.unshift(report.best);
      var offers = ranked.slice(0, APPLY_TOP).map(function (r, i) {
        return { label: (i === 0 ? 'best: ' : '') + 'run #' + r.index + ', score ' + scoreText(r.score, report.objective) + ': ' + settingsText(r.settings), settings: r.settings, index: r.index };
      });
      var windows = report.walkForward && report.walkForward.windows ? report.walkForward.windows : [];
      var lastWindow = windows.length ? windows[windows.length - 1] : null;
      if (lastWindow && lastWindow.settings) {
        offers.push({ label: 'last walk-forward window\'s choice (in-sample ' + scoreText(lastWindow.inSampleScore, report.objective) + ', out-of-sample ' + scoreText(lastWindow.outOfSampleScore, report.objective) + '): ' + settingsText(lastWindow.settings), settings: lastWindow.settings });
      }
      var $best = $('#tradebot-optimise-best').empty();
      offers.forEach(function (o) {
        var li = $('<li/>', { class: 'tradebot-optimise-offer', style: 'display: flex; align-items: center; gap: 8px; margin-bottom: 4px' }).appendTo($best);
        if (o.index !== undefined) li.attr('data-run', o.index);
        $('<button/>', { type: 'button', class: 'red-ui-button red-ui-button-small tradebot-optimise-apply' }).text('apply').appendTo(li).on('click', function (e) {
          e.preventDefault();
          var done = applySettings(o.settings);
          if (done.applied.length) RED.notify('Applied to ' + done.applied.join('; ') + ': deploy to use them.', 'success');
          if (done.problems.length) RED.notify('Not applied: ' + done.problems.join('; '), 'warning');
        });
        $('<span/>', { style: 'white-space: normal' }).text(o.label).appendTo(li);
      });
      if (!offers.length && report.state !== 'running') $('<li/>').text('No run counts, nothing to apply.').appendTo($best);
    }
    $results.addClass('disabled').attr('aria-disabled', 'true');
    $info.text('Looking for an optimisation...');
    follow(0);
  }

  // For the browser tests and the curious: the Optimise tab's functions, without the dialog.
  (window as any).tradebotBacktestOptimise = { applySettings: applySettings, parseList: parseList };
  return definition;
};
