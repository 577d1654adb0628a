// Renders /openapi/v1.json as a readable page. Every string from the document goes in as text
// (textContent), never as HTML, so nothing in the document can inject markup.
(function () {
  'use strict';

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function resolve(doc, schema) {
    var seen = 0;
    while (schema && schema.$ref && seen++ < 10) {
      var name = schema.$ref.split('/').pop();
      schema = (doc.components && doc.components.schemas && doc.components.schemas[name]) || {};
    }
    return schema || {};
  }

  function typeName(doc, schema) {
    if (!schema) { return ''; }
    if (schema.$ref) { return schema.$ref.split('/').pop(); }
    if (schema.type === 'array') { return typeName(doc, schema.items) + '[]'; }
    var type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type || 'object');
    return type + (schema.format ? ' (' + schema.format + ')' : '');
  }

  function schemaTable(doc, schema) {
    var resolved = resolve(doc, schema);
    var properties = resolved.properties || {};
    var names = Object.keys(properties);
    if (names.length === 0) { return el('p', typeName(doc, schema)); }
    var table = el('table');
    var head = el('tr');
    head.appendChild(el('th', 'field'));
    head.appendChild(el('th', 'type'));
    table.appendChild(head);
    names.forEach(function (name) {
      var row = el('tr');
      row.appendChild(el('td')).appendChild(el('code', name));
      row.appendChild(el('td', typeName(doc, properties[name])));
      table.appendChild(row);
    });
    return table;
  }

  function render(doc) {
    document.getElementById('title').textContent = (doc.info && doc.info.title) || 'API reference';
    document.getElementById('description').textContent = (doc.info && doc.info.description) || '';
    var toc = document.getElementById('toc');
    var container = document.getElementById('operations');
    Object.keys(doc.paths || {}).sort().forEach(function (path) {
      var item = doc.paths[path];
      ['get', 'post', 'put', 'patch', 'delete'].forEach(function (method) {
        var op = item[method];
        if (!op) { return; }
        var id = op.operationId || (method + path);
        var link = el('a');
        link.href = '#' + encodeURIComponent(id);
        link.appendChild(el('span', method, 'method ' + method));
        link.appendChild(el('code', path));
        toc.appendChild(link);

        var section = el('section');
        section.id = encodeURIComponent(id);
        var heading = el('h2');
        heading.appendChild(el('span', method, 'method ' + method));
        heading.appendChild(el('code', path));
        section.appendChild(heading);
        if (op.summary) { section.appendChild(el('p', op.summary)); }
        var parameters = (op.parameters || []).concat(item.parameters || []);
        if (parameters.length) {
          section.appendChild(el('h3', 'Parameters'));
          var table = el('table');
          parameters.forEach(function (p) {
            var row = el('tr');
            row.appendChild(el('td')).appendChild(el('code', p.name));
            row.appendChild(el('td', p['in'] + (p.required ? ', required' : '')));
            row.appendChild(el('td', typeName(doc, p.schema)));
            table.appendChild(row);
          });
          section.appendChild(table);
        }
        var body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
        if (body) {
          section.appendChild(el('h3', 'Request body (application/json)'));
          section.appendChild(schemaTable(doc, body.schema));
          if (body.example !== undefined) { section.appendChild(el('pre', JSON.stringify(body.example, null, 2))); }
        }
        section.appendChild(el('h3', 'Responses'));
        var responses = el('table');
        Object.keys(op.responses || {}).sort().forEach(function (status) {
          var response = op.responses[status];
          var row = el('tr');
          row.appendChild(el('td')).appendChild(el('code', status));
          var cell = el('td', response.description || '');
          var content = response.content || {};
          Object.keys(content).forEach(function (type) {
            cell.appendChild(el('div')).appendChild(el('code', type + ': ' + typeName(doc, content[type].schema)));
            if (content[type].example !== undefined) { cell.appendChild(el('pre', JSON.stringify(content[type].example, null, 2))); }
          });
          row.appendChild(cell);
          responses.appendChild(row);
        });
        section.appendChild(responses);
        container.appendChild(section);
      });
    });
  }

  fetch('/openapi/v1.json', { headers: { Accept: 'application/json' } })
    .then(function (response) {
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response.json();
    })
    .then(render)
    .catch(function (e) { document.getElementById('error').textContent = 'Could not load the OpenAPI document: ' + e.message; });
}());
