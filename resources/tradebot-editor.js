/**
 * Editor helpers shared by the tradebot nodes' edit dialogs. Node-RED serves a module's
 * resources/ folder at resources/<module>/…; a node's .html loads this file with a script tag
 * before it registers its type. Plain ES5: it runs in the user's browser as it is.
 */
(function () {
  'use strict';
  if (window.tradebotEditor) return;

  /** Nodes of a type wired (directly or through other nodes, not through `stopAt` nodes) into `node`. */
  function upstream(node, type, stopAt) {
    var found = [];
    try {
      var seen = {};
      seen[node.id] = true;
      var queue = [node];
      var visited = 0;
      while (queue.length && visited < 500) {
        var n = queue.shift();
        visited++;
        RED.nodes.filterLinks({ target: n }).forEach(function (l) {
          var s = l.source;
          if (!s || seen[s.id]) return;
          seen[s.id] = true;
          if (s.type === type) found.push(s);
          if (!stopAt || s.type !== stopAt) queue.push(s);
        });
      }
    } catch (err) {
      // suggestions only: an editor without this API just offers none
    }
    return found;
  }

  /**
   * Tabs for a dialog: `#<prefix>-tabs` holds them, each tab's fields are in `#<prefix>-tab-<key>`
   * inside `#<prefix>-tabs-content`. A tab holding a field marked invalid (by the editor, or by the
   * dialog's own checks) shows a warning sign; `afterMark` runs after each marking (for fields
   * the sign cannot show, e.g. a row of checkboxes). Returns { mark(), openFirstInvalid() }.
   */
  function tabs(prefix, list, afterMark) {
    var created = RED.tabs.create({
      id: prefix + '-tabs',
      onchange: function (tab) {
        $('#' + prefix + '-tabs-content').children().hide();
        $('#' + tab.id).show();
      },
    });
    list.forEach(function (t) {
      created.addTab({ id: prefix + '-tab-' + t[0], label: t[1] });
    });
    var errorClass = prefix + '-tab-error';
    function mark() {
      list.forEach(function (t) {
        var bad = $('#' + prefix + '-tab-' + t[0]).find('.input-error').length > 0;
        var link = $('#red-ui-tab-' + prefix + '-tab-' + t[0]).find('.red-ui-tab-label');
        link.find('.' + errorClass).remove();
        if (bad) $('<i/>', { class: 'fa fa-exclamation-triangle ' + errorClass, style: 'margin-right: 5px; color: var(--red-ui-text-color-error, #d6615f)' }).prependTo(link);
      });
      if (afterMark) afterMark();
    }
    // The editor validates every field on each change; look afterwards.
    $('#' + prefix + '-tabs').closest('form').on('change keyup paste input', function () {
      setTimeout(mark, 0);
    });
    /** After the editor's first validation of the dialog: mark the tabs, open the first with a problem. */
    function openFirstInvalid() {
      setTimeout(function () {
        mark();
        for (var i = 0; i < list.length; i++) {
          if ($('#' + prefix + '-tab-' + list[i][0]).find('.input-error').length) {
            created.activateTab(prefix + '-tab-' + list[i][0]);
            break;
          }
        }
      }, 0);
    }
    return { mark: mark, openFirstInvalid: openFirstInvalid };
  }

  function blank(v) {
    return v === '' || v === null || v === undefined;
  }
  function isNum(v) {
    return !blank(v) && typeof v !== 'boolean' && isFinite(Number(v));
  }
  function text(v) {
    return blank(v) ? '' : String(v);
  }

  /**
   * What a validator reads for `prop`: while the node's own dialog is open (`editingId`), the field
   * being edited, so "needed for this choice" follows what the user picks; else the saved value.
   */
  function edited(editingId, node, prop) {
    if (editingId !== null && editingId === node.id) {
      var el = $('#node-input-' + prop);
      if (el.length) return el.attr('type') === 'checkbox' ? el.prop('checked') : el.val();
    }
    return node[prop];
  }

  /**
   * A Node-RED validator whose message names the field by its label in the dialog. `test` is called
   * with the node as `this` and returns true (fine) or the rest of the sentence ("must be …"); the
   * message is `label + ' ' + rest`, so the red triangle's list and the field's tooltip read like the
   * dialog. Two arguments: Node-RED (3 and later) shows a returned string only from such a validator;
   * a one-argument validator's string counts as valid.
   */
  function says(label, test) {
    var validate = function (v, opt) {
      var r = test.call(this, v);
      if (r === true || r === undefined || r === '') return true;
      var message = (label ? label + ' ' : '') + (typeof r === 'string' ? r : 'is not valid');
      return opt ? message : false;
    };
    validate.tradebotWorded = true;
    return validate;
  }

  function configMissing(v) {
    return blank(v) || v === '_ADD_';
  }

  /**
   * The validator of a config-node field the node cannot work without (an exchange, a Redis, a
   * Telegram bot): empty, gone or invalid is refused with a message in the dialog's words. `needed`
   * (optional, the node as `this`) says whether the node's settings need it at all. With its own
   * validator the editor leaves the config-node check to this one, so it checks what the editor would.
   */
  function needsConfig(label, what, needed) {
    var validate = function (v, opt) {
      if (needed && !needed.call(this)) return true;
      var message = true;
      if (configMissing(v)) message = label + ' is missing: pick ' + what + ', or add one with the + button';
      else {
        var config = RED.nodes.node(v);
        if (!config) message = label + ': the selected ' + what.replace(/^an? /, '') + ' no longer exists: pick another';
        else if (config.valid === false) message = label + ': the selected ' + what.replace(/^an? /, '') + ' has invalid settings: open it with the pencil button';
      }
      return message === true ? true : opt ? message : false;
    };
    validate.tradebotWorded = true;
    return validate;
  }

  /**
   * For a node's `onadd`: each listed config-node field left empty takes the one config node of its
   * type the node's flow can use, when there is exactly one (a new candles node takes the workspace's
   * only exchange). Only for a node created from the palette or the quick-add box: the editor calls
   * `onadd` on imported and pasted nodes too, after giving them a position and marking them
   * changed; those keep what they were imported with.
   */
  function adoptOnlyConfig(node, props) {
    if (node.x !== undefined || node.changed) return;
    props.forEach(function (prop) {
      var def = node._def && node._def.defaults && node._def.defaults[prop];
      if (!def || !def.type || !configMissing(node[prop])) return;
      var found = [];
      RED.nodes.eachConfig(function (c) {
        if (c.type === def.type && !c.d && (!c.z || c.z === node.z)) found.push(c);
      });
      if (found.length === 1) node[prop] = found[0].id;
    });
  }

  /** Marks a field the editor does not validate itself (a list row's input): red, with `message` as its tooltip; '' clears. */
  function markField(el, message) {
    el.toggleClass('input-error', !!message);
    el.attr('aria-invalid', message ? 'true' : null);
    var tip = el.data('tradebotTooltip');
    if (message) {
      if (tip) tip.setContent(message);
      else el.data('tradebotTooltip', RED.popover.tooltip(el, message));
    } else if (tip) {
      tip.delete();
      el.removeData('tradebotTooltip');
    }
  }

  /** Each field's label in a node type's dialog (the text of `<label for="node-input-<prop>">`), read once from its template. */
  var labelCache = {};
  function dialogLabels(type) {
    if (labelCache[type]) return labelCache[type];
    var html = $('script[data-template-name="' + type + '"]').html() || '';
    var labels = {};
    var re = /<label[^>]*\bfor="node-(?:config-)?input-([A-Za-z0-9_]+)"[^>]*>([\s\S]*?)<\/label>/g;
    var m;
    while ((m = re.exec(html))) {
      var words = m[2].replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
      if (words && !labels[m[1]]) labels[m[1]] = words;
    }
    if (html) labelCache[type] = labels;
    return labels;
  }

  function capitalised(s) {
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  /**
   * Puts the dialog's label in front of every validator message of a node type, so a message says
   * which field it is about in the words the user sees ("Amount must be a number above 0"), in the
   * field's tooltip and in the red triangle's list alike. It also makes every validator a
   * two-argument one: Node-RED takes a returned string as the message only from those, and as
   * "valid" from a one-argument validator. A message that already starts with its label stays.
   * A required field gets its label too, for the editor's own "property value missing".
   */
  function labelMessages(def) {
    [def.defaults, def.credentials].forEach(function (fields) {
      if (!fields) return;
      Object.keys(fields).forEach(function (prop) {
        var field = fields[prop];
        if (!field || field._tradebotLabelled) return;
        field._tradebotLabelled = true;
        // A field without a <label> of its own (one of two inputs in a row) is named in the type's `tradebotLabels`.
        var labelOf = function () {
          return (def.tradebotLabels && def.tradebotLabels[prop]) || dialogLabels(def.type)[prop];
        };
        if (field.required && !('label' in field)) {
          Object.defineProperty(field, 'label', { get: labelOf, enumerable: false, configurable: true });
        }
        // Validators made by says() and needsConfig() word their messages already.
        if (typeof field.validate !== 'function' || field.validate.tradebotWorded) return;
        var inner = field.validate;
        field.validate = function (v, opt) {
          // Asked for its message without the label (Node-RED's own validators would put it in twice).
          var r = inner.call(this, v, {});
          if (r === true) return true;
          if (Array.isArray(r)) return r;
          if (r && typeof r !== 'string') return true; // a truthy 2.x-style answer
          if (!opt) return false;
          var message = typeof r === 'string' && r.trim() ? r.trim() : 'is not valid';
          var label = labelOf();
          if (!label) return message;
          if (message.toLowerCase().indexOf(label.toLowerCase()) === 0) return capitalised(message);
          return /^(must|is|are|needs|has) /.test(message) ? label + ' ' + message : label + ': ' + message;
        };
      });
    });
  }
  // Help text fits the sidebar (300-400 px): long code runs (message shapes, URLs) wrap instead of
  // widening the help; our code examples in <pre> wrap too. Node-RED shows help inside .red-ui-help.
  $('<style/>')
    .text('.red-ui-help p, .red-ui-help dd, .red-ui-help li { overflow-wrap: break-word; } .red-ui-help code { overflow-wrap: anywhere; word-break: break-word; } .red-ui-help pre { white-space: pre-wrap; overflow-wrap: anywhere; }')
    .appendTo('head');

  // Every tradebot node type, as the editor registers it (this file loads before the first of them).
  RED.events.on('registry:node-type-added', function (type) {
    if (/^tradebot-/.test(type)) labelMessages(RED.nodes.getType(type));
  });

  window.tradebotEditor = {
    upstream: upstream,
    tabs: tabs,
    edited: edited,
    blank: blank,
    isNum: isNum,
    text: text,
    says: says,
    needsConfig: needsConfig,
    adoptOnlyConfig: adoptOnlyConfig,
    markField: markField,
    dialogLabels: dialogLabels,
  };
})();
