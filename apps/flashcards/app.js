// Flashcards, a learning app of the Lang Portal. It knows only the launch contract (docs/api.md §5): the
// portal opens it with `session_id`, `group_id` and `api_base` in the query.

import { Api, NetworkError, describe } from './api.js';
import { newKey } from './keys.js';
import { Outbox } from './outbox.js';

const RETRY_MS = 3000;
const ENGLISH_FIRST = 'lang-portal.flashcards.english-first';

const $ = (id) => document.getElementById(id);
const view = {
  deckName: $('deck-name'),
  problem: $('problem'),
  problemText: $('problem-text'),
  retryLoad: $('retry-load'),
  study: $('study'),
  progress: $('progress'),
  englishFirst: $('english-first'),
  card: $('card'),
  prompt: $('prompt'),
  reveal: $('reveal'),
  answer: $('answer'),
  romanization: $('romanization'),
  wrong: $('wrong'),
  right: $('right'),
  summary: $('summary'),
  summaryTitle: $('summary-title'),
  summaryStatus: $('summary-status'),
  score: $('score'),
  scoreTotal: $('score-total'),
  scoreRight: $('score-right'),
  scoreWrong: $('score-wrong'),
  outbox: $('outbox'),
  notes: $('notes'),
  announcer: $('announcer'),
};

/** `session_id`, `group_id` and `api_base` from the page's query, and what is wrong with them. */
function readLaunch(search) {
  const params = new URLSearchParams(search);
  const problems = [];
  const id = (name) => {
    const value = params.get(name);
    if (!value) {
      problems.push(`${name} is missing`);
    } else if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) {
      problems.push(`${name} is not a positive whole number`);
    } else {
      return Number(value);
    }
    return null;
  };
  const sessionId = id('session_id');
  const groupId = id('group_id');
  const apiBase = params.get('api_base');
  if (!apiBase) {
    problems.push('api_base is missing');
  } else if (!/^https?:$/.test(protocolOf(apiBase))) {
    problems.push('api_base is not an absolute http(s) address');
  }
  return { sessionId, groupId, apiBase, problems };
}

function protocolOf(url) {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

const storage = {
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // Not kept across visits: the page still works.
    }
  },
};

const state = {
  launch: null,
  api: null,
  outbox: null,
  /** Added to this device's clock to date answers in the portal's time (see calibrate). */
  clockOffset: 0,
  words: [],
  deck: [],
  position: 0,
  flipped: false,
  englishFirst: storage.get(ENGLISH_FIRST) === 'true',
  /** Words answered in this session on this device, kept so that a reload carries on where it was. */
  answered: new Set(),
  answeredKey: '',
  finished: false,
  scoreShown: false,
  scoreLoading: false,
  lastOutboxText: '',
};

function showProblem(text, { retry = false } = {}) {
  view.problemText.textContent = text;
  view.retryLoad.hidden = !retry;
  view.problem.hidden = false;
}

function note(text) {
  const line = document.createElement('p');
  line.textContent = text;
  view.notes.append(line);
}

function romanizationOf(word) {
  const value = word.parts?.romanization;
  return typeof value === 'string' ? value : '';
}

/**
 * Answers are dated in the portal's time: it refuses a `reviewed_at` in its future, or before the session
 * started. The `Date` header (whole seconds; readable when the portal serves this page) is used only when it
 * proves this device's clock ahead; the session's start proves it behind.
 */
function calibrate(response, sentAt, receivedAt, session) {
  if (response.serverDate !== null && response.serverDate + 1000 < sentAt) {
    state.clockOffset = response.serverDate - receivedAt;
  }
  const started = Date.parse(session.start_time);
  if (started > receivedAt + state.clockOffset) state.clockOffset = started - receivedAt;
}

const now = () => new Date(Date.now() + state.clockOffset).toISOString();

function render() {
  const word = state.deck[state.position];
  if (!word) return;
  const thaiFirst = !state.englishFirst;
  view.prompt.textContent = thaiFirst ? word.thai : word.english;
  view.prompt.lang = thaiFirst ? 'th' : 'en';
  view.prompt.classList.toggle('thai', thaiFirst);
  view.answer.textContent = thaiFirst ? word.english : word.thai;
  view.answer.lang = thaiFirst ? 'en' : 'th';
  view.answer.classList.toggle('thai', !thaiFirst);
  view.romanization.textContent = romanizationOf(word);
  view.romanization.hidden = view.romanization.textContent === '';
  view.reveal.hidden = !state.flipped;
  view.card.classList.toggle('flipped', state.flipped);
  view.wrong.disabled = !state.flipped;
  view.right.disabled = !state.flipped;
  view.progress.textContent = `Card ${state.answered.size + 1} of ${state.words.length}`;
}

function flip() {
  if (state.finished || !state.deck[state.position]) return;
  state.flipped = !state.flipped;
  render();
  if (state.flipped) {
    const parts = [view.answer.textContent, view.romanization.textContent].filter(Boolean);
    view.announcer.textContent = parts.join(', ');
  }
}

function answer(correct) {
  const word = state.deck[state.position];
  if (state.finished || !word || !state.flipped) return;
  const reviewedAt = now();
  state.outbox.add({ key: newKey(), word_id: word.id, correct, reviewed_at: reviewedAt }).catch(reportBug);
  state.answered.add(word.id);
  storage.set(state.answeredKey, JSON.stringify([...state.answered]));
  state.position += 1;
  state.flipped = false;
  view.announcer.textContent = '';
  if (state.position >= state.deck.length) {
    finish();
  } else {
    render();
  }
}

function finish() {
  state.finished = true;
  view.study.hidden = true;
  view.summary.hidden = false;
  view.summaryTitle.focus();
  showScoreWhenSent();
}

/** The session's score, read from the portal once every answer given here has reached it. */
async function showScoreWhenSent() {
  if (!state.finished || state.scoreShown || state.scoreLoading) return;
  const { total } = state.outbox.counts();
  if (total > 0) {
    view.summaryStatus.textContent = `Your score appears once ${total === 1 ? 'your last answer has' : `your ${total} answers have`} been sent.`;
    return;
  }
  view.summaryStatus.textContent = 'Loading your score…';
  state.scoreLoading = true;
  try {
    const response = await state.api.session(state.launch.sessionId);
    if (response.status !== 200) throw new Error(describe(response));
    const { review_items_count, correct_count, wrong_count } = response.body;
    state.scoreShown = true;
    view.scoreTotal.textContent = String(review_items_count);
    view.scoreRight.textContent = String(correct_count);
    view.scoreWrong.textContent = String(wrong_count);
    view.score.hidden = false;
    view.summaryStatus.textContent = `You got ${correct_count} of ${review_items_count} right in this session.`;
  } catch (error) {
    view.summaryStatus.textContent = `The score could not be loaded (${error instanceof NetworkError ? 'the portal could not be reached' : error.message}); trying again…`;
  } finally {
    state.scoreLoading = false;
  }
}

function showOutbox({ waiting, total }) {
  let text = state.lastOutboxText;
  if (waiting > 0) {
    text = `${waiting} ${waiting === 1 ? 'answer' : 'answers'} waiting to be sent`;
  } else if (total === 0 && state.answered.size > 0) {
    text = 'All answers sent';
  }
  if (text !== state.lastOutboxText) view.outbox.textContent = text;
  state.lastOutboxText = text;
  view.outbox.dataset.waiting = String(waiting);
  view.outbox.classList.toggle('waiting', waiting > 0);
  if (total === 0) showScoreWhenSent();
}

function reportBug(error) {
  note(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`);
}

/** Keys: Space flips, 1 = wrong, 2 = right, unless the focus is in another control (which keeps its keys). */
function onKey(event) {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  const control =
    event.target instanceof window.Element
      ? event.target.closest('input, select, textarea, button, a[href], [contenteditable]')
      : null;
  if (control && control !== view.card) return;
  if (view.study.hidden) return;
  if (event.key === ' ') {
    // On the card, Space is the button's own click (which flips).
    if (control === view.card) return;
    event.preventDefault();
    if (!event.repeat) flip();
  } else if (event.key === '1' || event.key === '2') {
    event.preventDefault();
    if (!event.repeat) answer(event.key === '2');
  }
}

async function load() {
  const { apiBase, groupId, sessionId } = state.launch;
  view.problem.hidden = true;
  view.deckName.textContent = 'Loading the words…';
  const sentAt = Date.now();
  let words;
  let session;
  try {
    [words, session] = await Promise.all([state.api.words(groupId), state.api.session(sessionId)]);
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    view.deckName.textContent = '';
    showProblem(`The Lang Portal at ${apiBase} could not be reached. Check the connection and try again.`, {
      retry: true,
    });
    return;
  }
  const receivedAt = Date.now();
  for (const [response, what] of [
    [session, `Study session ${sessionId}`],
    [words, `Group ${groupId}`],
  ]) {
    if (response.status === 404) {
      view.deckName.textContent = '';
      showProblem(`${what} does not exist (any more). Start Flashcards again from the portal.`);
      return;
    }
    if (response.status !== 200) {
      view.deckName.textContent = '';
      showProblem(`The words could not be loaded: ${describe(response)}.`, { retry: true });
      return;
    }
  }
  if (session.body.group_id !== groupId) {
    view.deckName.textContent = '';
    showProblem(`This link is broken: study session ${sessionId} is not about group ${groupId}.`);
    return;
  }
  calibrate(words, sentAt, receivedAt, session.body);
  state.words = Array.isArray(words.body.words) ? words.body.words : [];
  view.deckName.textContent = `${words.body.group_name} · ${state.words.length} words`;
  if (state.words.length === 0) {
    showProblem('This group has no words yet.');
    return;
  }
  state.deck = state.words.filter((word) => !state.answered.has(word.id));
  state.position = 0;
  if (state.deck.length === 0) {
    finish();
    return;
  }
  view.study.hidden = false;
  render();
  view.card.focus();
}

function start() {
  const launch = readLaunch(location.search);
  if (launch.problems.length > 0) {
    view.deckName.textContent = '';
    showProblem(
      `Flashcards is opened by the Lang Portal, which starts a study session for a group of words. ` +
        `This address cannot be used: ${launch.problems.join('; ')}. Start Flashcards again from the portal.`,
    );
    return;
  }
  state.launch = launch;
  state.api = new Api(launch.apiBase);
  const namespace = `lang-portal.flashcards:${launch.apiBase}:session:${launch.sessionId}`;
  state.answeredKey = `${namespace}:answered`;
  try {
    const saved = JSON.parse(storage.get(state.answeredKey) ?? '[]');
    if (Array.isArray(saved)) state.answered = new Set(saved.filter(Number.isSafeInteger));
  } catch {
    // A damaged entry: start the deck from the beginning.
  }
  state.outbox = new Outbox({
    api: state.api,
    sessionId: launch.sessionId,
    storageKey: `${namespace}:outbox`,
    onChange: showOutbox,
    onRejected: (item, reason) => {
      const word = state.words.find((candidate) => candidate.id === item.word_id);
      note(
        `An answer for “${word ? word.thai : `word ${item.word_id}`}” was not saved and will not be sent again: ${reason}.`,
      );
    },
  });
  if (!state.outbox.persistent) {
    note('This browser does not let the page keep data: answers waiting to be sent are lost if you close it.');
  }

  view.englishFirst.checked = state.englishFirst;
  view.englishFirst.addEventListener('change', () => {
    state.englishFirst = view.englishFirst.checked;
    storage.set(ENGLISH_FIRST, String(state.englishFirst));
    render();
  });
  view.card.addEventListener('click', flip);
  for (const [button, correct] of [
    [view.wrong, false],
    [view.right, true],
  ]) {
    button.addEventListener('click', () => {
      answer(correct);
      if (!state.finished) view.card.focus();
    });
  }
  document.addEventListener('keydown', onKey);
  view.retryLoad.addEventListener('click', () => load().catch(reportBug));

  // Answers left from an earlier visit go first; then whenever the connection may be back.
  const sync = () => state.outbox.sync().catch(reportBug);
  window.addEventListener('online', sync);
  setInterval(() => {
    if (state.outbox.counts().total > 0) {
      if (!state.outbox.busy) sync();
    } else if (state.finished && !state.scoreShown) showScoreWhenSent();
  }, RETRY_MS);
  showOutbox(state.outbox.counts());
  setTimeout(sync, 0);
  load().catch(reportBug);
}

start();
