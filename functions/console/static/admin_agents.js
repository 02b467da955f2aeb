// Admin page "Agents and teams": agents (name, email, languages, capacity,
// auto-answer, their teams, and the queues those give them), teams
// (members and the queues they work), and the agent's sign-in account on
// Identity Platform: invite (the account made with its role and agentId
// claims, a password link shown to hand over), password reset, deactivate
// and reactivate. Saves go through AdminAPI with the revision; an agent's
// teams are saved on the teams, a team's queues on the queues, one request
// after the other.
import { h, show } from './dom.js';
import { registerAdminPage } from './admin_pages.js';

registerAdminPage('agents', { title: 'Agents and teams', order: 40, render: renderAgents });

const ROLES = [['agent', 'Agent'], ['supervisor', 'Supervisor'], ['admin', 'Admin']];

function renderAgents(ui) {
  const { st, page } = ui;
  const c = () => st.config;
  const teamsOf = (id) => c().teams.filter((t) => (t.members || []).includes(id));
  // queuesOf are the queues an agent works, each with how: directly or
  // through a team.
  const queuesOf = (id) => {
    const out = [];
    const teams = new Set(teamsOf(id).map((t) => t.id));
    for (const q of c().queues) {
      const via = (q.teams || []).filter((t) => teams.has(t));
      if ((q.agents || []).includes(id)) out.push(`${q.name} (directly)`);
      else if (via.length) out.push(`${q.name} (team ${via.map((t) => c().teams.find((x) => x.id === t)?.name || t).join(', ')})`);
    }
    return out;
  };

  const agentEditor = h('div', { id: 'agent-editor' });
  const teamEditor = h('div', { id: 'team-editor' });
  const draw = () => {
    const agents = c().agents;
    const teams = c().teams;
    page.replaceChildren(
      h('section', { 'aria-labelledby': 'agents-title' },
        h('div', { class: 'admin-toolbar' }, h('h2', { id: 'agents-title' }, 'Agents'),
          h('button', { type: 'button', id: 'agent-add', onclick: () => editAgent(null) }, 'Add agent')),
        h('div', { class: 'admin-stack' },
          agents.length ? h('table', { class: 'admin-table', id: 'agents-table', 'aria-labelledby': 'agents-title' },
            h('thead', {}, h('tr', {}, ['Agent', 'Email', 'Languages', 'Capacity', 'Status', 'Teams', ''].map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, agents.map((a) => h('tr', { dataset: { agent: a.id } },
              h('th', { scope: 'row' }, `${a.name} (${a.id})`), h('td', {}, a.email || '—'), h('td', {}, (a.languages || []).join(', ') || '—'),
              h('td', {}, `${a.capacity}${a.autoAnswer ? ', auto-answer' : ''}`), h('td', { class: 'agent-status' }, a.status),
              h('td', {}, teamsOf(a.id).map((t) => t.name).join(', ') || '—'),
              h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${a.name}`, onclick: () => editAgent(a) }, 'Edit'))))))
            : h('p', { class: 'empty' }, 'No agents yet.'),
          agentEditor)),
      h('section', { 'aria-labelledby': 'teams-title', class: 'teams' },
        h('div', { class: 'admin-toolbar' }, h('h2', { id: 'teams-title' }, 'Teams'),
          h('button', { type: 'button', id: 'team-add', onclick: () => editTeam(null) }, 'Add team')),
        h('div', { class: 'admin-stack' },
          teams.length ? h('table', { class: 'admin-table', id: 'teams-table', 'aria-labelledby': 'teams-title' },
            h('thead', {}, h('tr', {}, ['Team', 'Members', 'Queues', ''].map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, teams.map((t) => h('tr', { dataset: { team: t.id } },
              h('th', { scope: 'row' }, `${t.name} (${t.id})`),
              h('td', {}, (t.members || []).map((m) => c().agents.find((a) => a.id === m)?.name || m).join(', ') || '—'),
              h('td', {}, c().queues.filter((q) => (q.teams || []).includes(t.id)).map((q) => q.name).join(', ') || '—'),
              h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit team ${t.name}`, onclick: () => editTeam(t) }, 'Edit'))))))
            : h('p', { class: 'empty' }, 'No teams yet.'),
          teamEditor)));
  };

  const boxes = (items, checked, prefix, label) => items.map((x) => {
    const b = ui.checkbox(checked(x), { value: x.id, id: ui.nextId(prefix) });
    return { b, el: h('div', { class: 'field check' }, b, h('label', { for: b.id }, label(x))) };
  });

  // saveAll runs the writes in order, each with the revision the last
  // answered; the first refusal stops them.
  async function saveAll(writes) {
    for (const w of writes) await w();
    await ui.reloadQuietly();
  }

  function editAgent(a) {
    const isNew = !a;
    a = a || { id: '', name: '', email: '', languages: [], capacity: 3, autoAnswer: false };
    const f = {
      id: ui.input({ id: 'agent-id', value: a.id, readonly: !isNew }),
      name: ui.input({ id: 'agent-name', value: a.name }),
      email: ui.input({ id: 'agent-email', type: 'email', value: a.email || '' }),
      languages: ui.input({ id: 'agent-languages', value: (a.languages || []).join(', ') }),
      capacity: h('input', { type: 'number', id: 'agent-capacity', min: 1, max: 100, step: 1, value: a.capacity }),
      auto: ui.checkbox(a.autoAnswer, { id: 'agent-auto' }),
    };
    const teamBoxes = boxes(c().teams, (t) => (t.members || []).includes(a.id), 'at', (t) => t.name);
    const queues = isNew ? [] : queuesOf(a.id);
    const form = h('form', { id: 'agent-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'agent-form-title' },
      h('h3', { id: 'agent-form-title' }, isNew ? 'New agent' : `Agent ${a.name}`),
      ui.field('Id', f.id, { name: 'id', hint: isNew ? 'Letters, digits, dashes; the agentId claim of their sign-in.' : 'Ids cannot change.' }),
      ui.field('Name', f.name, { name: 'name', hint: 'Consumers see the first name (“Ana will chat with you”).' }),
      ui.field('Email', f.email, { name: 'email', hint: 'Their sign-in account’s address.' }),
      ui.field('Languages', f.languages, { name: 'languages', hint: 'Codes, comma separated; chats in these languages are offered to them. Empty: every language.' }),
      ui.field('Capacity (chats at once)', f.capacity, { name: 'capacity', hint: '1 to 100.' }),
      ui.field('Auto-answer offered chats', f.auto, { name: 'autoAnswer' }),
      h('fieldset', { id: 'agent-teams', 'data-field': 'teams' }, h('legend', {}, 'Teams'),
        teamBoxes.length ? teamBoxes.map((x) => x.el) : h('p', { class: 'hint' }, 'No teams yet.'),
        h('p', { id: 'agent-teams-err', class: 'field-error', hidden: true })),
      isNew ? null : h('p', { class: 'hint', id: 'agent-queues' }, queues.length ? `Works ${queues.join('; ')}.` : 'Works no queue yet: add them to a team that works one (or assign them on the queue).'),
      ui.formFooter(isNew ? 'Add agent' : 'Save agent', isNew ? [] : [h('button', { type: 'button', class: 'danger', id: 'agent-delete', onclick: () => del() }, 'Delete agent')]));
    const read = () => ({
      ...a, id: f.id.value.trim(), name: f.name.value.trim(), email: f.email.value.trim(),
      languages: ui.list(f.languages.value.toLowerCase()), capacity: Number(f.capacity.value) || 0, autoAnswer: f.auto.checked,
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = read();
      if (!body.id) {
        ui.showErrors(form, { message: 'The agent needs an id.', problems: [{ field: 'id', message: 'Type an id, such as ana.' }] });
        return;
      }
      // The profile only: routing state is the server's.
      const profile = { id: body.id, name: body.name, email: body.email, languages: body.languages, capacity: body.capacity, autoAnswer: body.autoAnswer };
      if (isNew) profile.status = 'offline';
      const writes = [() => st.client.put(`/agents/${encodeURIComponent(body.id)}`, profile)];
      for (const { b } of teamBoxes) {
        const t = c().teams.find((x) => x.id === b.value);
        const has = (t.members || []).includes(body.id);
        if (b.checked === has) continue;
        const members = b.checked ? [...(t.members || []), body.id] : (t.members || []).filter((m) => m !== body.id);
        writes.push(() => st.client.put(`/teams/${encodeURIComponent(t.id)}`, { ...t, members }));
      }
      try {
        await saveAll(writes);
        teamEditor.replaceChildren(); // its members changed
        draw();
        editAgent(c().agents.find((x) => x.id === body.id));
        ui.saved(document.getElementById('agent-form'), `Agent ${body.name} saved.`);
      } catch (err) {
        ui.showErrors(form, err, `agents[${body.id}].`);
      }
    });
    async function del() {
      try {
        await st.client.del(`/agents/${encodeURIComponent(a.id)}`);
        await ui.reloadQuietly();
        draw();
        ui.announce(`Agent ${a.name} deleted.`);
      } catch (err) {
        ui.showErrors(form, err, `agents[${a.id}].`);
      }
    }
    agentEditor.replaceChildren(...[form, isNew ? null : accountSection(a)].filter(Boolean));
    (isNew ? f.id : f.name).focus();
  }

  // accountSection is the agent's sign-in account: its state, invite,
  // password reset, deactivate and reactivate.
  function accountSection(a) {
    const state = h('p', { id: 'account-state', role: 'status' }, 'Looking up the sign-in account…');
    const role = ui.select(ROLES, 'agent', { id: 'account-role' });
    const linkBox = h('div', { id: 'account-link', class: 'secret', hidden: true });
    const err = h('p', { id: 'account-error', class: 'error', role: 'alert', hidden: true });
    const sec = h('section', { id: 'agent-account', class: 'admin-form account', 'aria-labelledby': 'account-title' },
      h('h3', { id: 'account-title' }, 'Sign-in account'),
      state,
      ui.field('Role', role, { hint: 'The role claim of their token: what the console lets them do.' }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', id: 'account-invite', onclick: () => act('invite') }, 'Invite'),
        h('button', { type: 'button', class: 'secondary', id: 'account-reset', onclick: () => act('reset') }, 'Reset password'),
        h('button', { type: 'button', class: 'danger', id: 'account-deactivate', onclick: () => act('deactivate') }, 'Deactivate'),
        h('button', { type: 'button', class: 'secondary', id: 'account-reactivate', onclick: () => act('reactivate') }, 'Reactivate')),
      err, linkBox);
    const describe = (acc) => {
      if (!acc) return 'No sign-in account yet: Invite creates it.';
      const claims = acc.role ? `role ${acc.role}${acc.agentId ? `, agent ${acc.agentId}` : ''}` : 'no role claim yet';
      return `${acc.email}: ${claims}${acc.disabled ? ' — deactivated, cannot sign in' : ''}.`;
    };
    const showLink = (acc, what) => {
      linkBox.replaceChildren(
        h('h4', {}, what),
        h('p', { class: 'warn-text' }, `Give this link to ${a.name} only (whoever has it can set the password); it works once.`),
        h('p', { class: 'url' }, h('output', { id: 'account-link-value' }, acc.link), ui.copyButton(acc.link, 'password link')));
      show(linkBox);
    };
    (async () => {
      try {
        const acc = await st.client.get(`/agents/${encodeURIComponent(a.id)}/account`);
        state.textContent = describe(acc);
        if (acc.role) role.value = acc.role;
      } catch (e) {
        state.textContent = e.status === 404 ? describe(null) : e.message;
      }
    })();
    async function act(what) {
      show(err, false);
      try {
        if (what === 'invite') {
          const acc = await st.client.post(`/agents/${encodeURIComponent(a.id)}/invite`, { role: role.value });
          state.textContent = describe(acc);
          showLink(acc, acc.created ? `Account created for ${acc.email}: the link to set a password` : `${acc.email} updated: a link to set a password`);
          ui.announce(`${a.name} invited as ${acc.role}.`);
        } else if (what === 'reset') {
          const acc = await st.client.post(`/agents/${encodeURIComponent(a.id)}/password-reset`);
          state.textContent = describe(acc);
          showLink(acc, `Password reset link for ${acc.email}`);
          ui.announce('Password reset link made.');
        } else {
          const out = await st.client.post(`/agents/${encodeURIComponent(a.id)}/${what}`);
          state.textContent = out.account ? describe(out.account) : `${what === 'deactivate' ? 'Offline' : 'Active'} (no sign-in account to ${what === 'deactivate' ? 'disable' : 'enable'}).`;
          await ui.reloadQuietly();
          const row = document.querySelector(`#agents-table tr[data-agent="${CSS.escape(a.id)}"] .agent-status`);
          if (row) row.textContent = out.agent.status;
          ui.announce(`${a.name} ${what === 'deactivate' ? 'deactivated' : 'reactivated'}.`);
        }
      } catch (e) {
        err.textContent = e.message + (e.problems?.length ? ` (${e.problems.map((p) => `${p.field}: ${p.message}`).join('; ')})` : '');
        show(err);
      }
    }
    return sec;
  }

  function editTeam(t) {
    const isNew = !t;
    t = t || { id: '', name: '', members: [] };
    const f = { id: ui.input({ id: 'team-id', value: t.id, readonly: !isNew }), name: ui.input({ id: 'team-name', value: t.name }) };
    const memberBoxes = boxes(c().agents, (a) => (t.members || []).includes(a.id), 'tm', (a) => a.name);
    const queueBoxes = boxes(c().queues, (q) => (q.teams || []).includes(t.id) && !!t.id, 'tq', (q) => ui.queueName(q.id));
    const form = h('form', { id: 'team-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'team-form-title' },
      h('h3', { id: 'team-form-title' }, isNew ? 'New team' : `Team ${t.name}`),
      ui.field('Id', f.id, { name: 'id' }),
      ui.field('Name', f.name, { name: 'name' }),
      h('fieldset', { id: 'team-members', 'data-field': 'members' }, h('legend', {}, 'Members'),
        memberBoxes.length ? memberBoxes.map((x) => x.el) : h('p', { class: 'hint' }, 'No agents yet.'),
        h('p', { id: 'team-members-err', class: 'field-error', hidden: true })),
      h('fieldset', { id: 'team-queues', 'data-field': 'queues' }, h('legend', {}, 'Queues the team works'),
        queueBoxes.length ? queueBoxes.map((x) => x.el) : h('p', { class: 'hint' }, 'No queues yet.'),
        h('p', { id: 'team-queues-err', class: 'field-error', hidden: true })),
      ui.formFooter(isNew ? 'Add team' : 'Save team', isNew ? [] : [h('button', { type: 'button', class: 'danger', id: 'team-delete', onclick: () => del() }, 'Delete team')]));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const id = f.id.value.trim();
      if (!id) {
        ui.showErrors(form, { message: 'The team needs an id.', problems: [{ field: 'id', message: 'Type an id, such as billing-team.' }] });
        return;
      }
      const body = { id, name: f.name.value.trim(), members: memberBoxes.filter((x) => x.b.checked).map((x) => x.b.value) };
      const writes = [() => st.client.put(`/teams/${encodeURIComponent(id)}`, body)];
      for (const { b } of queueBoxes) {
        const q = c().queues.find((x) => x.id === b.value);
        const has = (q.teams || []).includes(id);
        if (b.checked === has) continue;
        const teams = b.checked ? [...(q.teams || []), id] : (q.teams || []).filter((x) => x !== id);
        writes.push(() => st.client.put(`/queues/${encodeURIComponent(q.id)}`, { ...q, teams }));
      }
      try {
        await saveAll(writes);
        agentEditor.replaceChildren(); // its teams and queues changed
        draw();
        editTeam(c().teams.find((x) => x.id === id));
        ui.saved(document.getElementById('team-form'), `Team ${body.name} saved.`);
      } catch (err) {
        ui.showErrors(form, err, `teams[${id}].`);
      }
    });
    async function del() {
      try {
        await st.client.del(`/teams/${encodeURIComponent(t.id)}`);
        await ui.reloadQuietly();
        draw();
        ui.announce(`Team ${t.name} deleted.`);
      } catch (err) {
        ui.showErrors(form, err, `teams[${t.id}].`);
      }
    }
    teamEditor.replaceChildren(form);
    (isNew ? f.id : f.name).focus();
  }

  draw();
}
