// Headline-like rows for the fast tier, written for this project: the repository must stand
// alone, so suites never read the real sample (see reference-data.ts for those that need it).
// Every row is a pure function of (seed, index), so a slice at any offset is the same whatever
// else was generated, and the corpus is date-ordered like the Kaggle file.

/** The nominal corpus size the dates are spread over: about the real sample's rows per day. */
export const NOMINAL_ROWS = 100_000;

// Share of the rows in each year from 2003 (from 19 February) to 2021: dense early years and
// sparse late ones, as in the real corpus, so that suites meet both busy and short ranges.
const YEAR_WEIGHTS = [14, 8, 8, 8, 8, 8, 8, 8, 8, 8, 5, 3, 2.2, 1.5, 1, 0.6, 0.4, 0.3, 0.2];
const FIRST_YEAR = 2003;
const YEAR_STARTS = YEAR_WEIGHTS.map((_, i) => (i === 0 ? Date.UTC(FIRST_YEAR, 1, 19) : Date.UTC(FIRST_YEAR + i, 0, 1)));
const TOTAL_WEIGHT = YEAR_WEIGHTS.reduce((a, b) => a + b, 0);

/** The date of the row at `fraction` (0 ≤ fraction < 1) of the date-ordered corpus, in ms. */
function dateAt(fraction: number): number {
  let position = fraction * TOTAL_WEIGHT;
  for (let i = 0; i < YEAR_WEIGHTS.length; i++) {
    const weight = YEAR_WEIGHTS[i]!;
    if (position < weight || i === YEAR_WEIGHTS.length - 1) {
      const days = Math.round((Date.UTC(FIRST_YEAR + i + 1, 0, 1) - YEAR_STARTS[i]!) / 86_400_000);
      return YEAR_STARTS[i]! + Math.min(days - 1, Math.floor((position / weight) * days)) * 86_400_000;
    }
    position -= weight;
  }
  throw new Error('unreachable');
}

const PLACES = [
  'sydney', 'melbourne', 'brisbane', 'perth', 'adelaide', 'hobart', 'darwin', 'canberra', 'cairns', 'townsville',
  'geelong', 'ballarat', 'bendigo', 'wagga', 'dubbo', 'tamworth', 'launceston', 'mackay', 'bunbury', 'alice springs',
  'broken hill', 'mildura', 'toowoomba', 'newcastle', 'wollongong', 'gippsland', 'kalgoorlie', 'port augusta',
  'albany', 'geraldton', 'karratha', 'broome', 'katherine', 'tennant creek', 'mount isa', 'rockhampton', 'bundaberg',
  'gladstone', 'lismore', 'coffs harbour', 'port macquarie', 'orange', 'bathurst', 'goulburn', 'albury', 'shepparton',
  'warrnambool', 'horsham', 'mount gambier', 'whyalla', 'port lincoln', 'devonport', 'burnie', 'queanbeyan', 'gympie', 'esperance',
];
const PEOPLE = [
  'howard', 'costello', 'rudd', 'gillard', 'abbott', 'turnbull', 'morrison', 'beazley', 'latham', 'shorten',
  'albanese', 'downer', 'swan', 'bishop', 'hockey', 'bush', 'obama', 'blair',
];
const COVID_FROM = Date.UTC(2020, 2, 1);

// Topics with several wordings each, so that meaning and words both have something to find.
const TOPICS: ReadonlyArray<readonly string[]> = [
  [
    'bushfire threatens homes near {place}', 'fire crews battle blaze at {place}', '{place} residents flee as flames spread',
    'total fire ban declared for {place}', 'arson suspected in {place} grass fire', 'firefighters contain {place} bushfire',
  ],
  [
    'drought forces {place} farmers to sell stock', '{place} farmers welcome rain after long dry spell', 'water restrictions tightened in {place}',
    'drought relief package for {place} growers', 'dry winter hits {place} crop yields', '{place} irrigators push for more water allocation',
  ],
  [
    'floods inundate {place} towns', 'flood warning issued for {place} river', 'residents evacuated as {place} river rises',
    '{place} storm damage bill tops {num} million', 'wild storm lashes {place} coast', 'clean up begins after {place} floods',
  ],
  [
    'police investigate {place} crash', 'man charged over {place} assault', 'woman killed in {place} car crash',
    'police hunt {place} armed robber', 'court hears {place} murder case', 'teenager charged after {place} stabbing',
    'two injured in {place} highway crash', 'police appeal for witnesses to {place} hit and run',
  ],
  [
    '{place} council approves new water plan', 'council rates to rise in {place}', '{place} council rejects development proposal',
    'council plans new pool for {place}', '{place} council considers parking fees', 'mayor defends {place} council budget',
  ],
  [
    '{person} launches election campaign in {place}', '{person} rejects {place} calls to resign', '{person} defends budget cuts in {place}',
    '{person} unveils climate policy in {place}', 'opposition attacks {person} over {place} tax plan', 'election campaign heats up in {place}',
    '{person} promises {num} million for {place}', 'voters in {place} head to the polls',
  ],
  [
    'hospital waiting lists grow in {place}', 'nurses strike over pay at {place} hospital', 'new cancer treatment trial in {place}',
    'flu cases rise across {place}', '{place} doctors warn of emergency department crisis', 'mental health services stretched in {place}',
  ],
  [
    '{place} win cricket test match', '{place} player named in cricket world cup squad', 'ashes test in {place} ends in draw', '{place} coach sacked after heavy loss',
    'swimmer breaks world record in {place}', '{place} through to grand final', 'injury blow for {place} captain',
  ],
  [
    '{place} home owners relieved as interest rates stay on hold', 'reserve bank lifts interest rates as {place} prices climb', '{num} jobs lost as {place} factory closes',
    'house prices rise in {place}', '{place} exporters hit as dollar rises against greenback', 'retail sales slump in {place}',
  ],
  [
    '{place} troops head to iraq', 'bomb blast kills {num} in baghdad', '{person} visits {place} troops in afghanistan',
    'bin laden tape warns of new attacks on {place}', '{place} hosts middle east peace talks', '{place} rally calls for ceasefire in gaza',
  ],
  [
    'teachers strike over pay in {place}', 'school funding boost for {place}', '{place} university fees to rise',
    'students return to {place} classrooms', 'new school planned for {place}',
  ],
  [
    'coral bleaching worsens on reef off {place}', 'whale stranded on {place} beach', 'climate change threatens {place} farms',
    'rare bird spotted near {place}', 'shark sighting closes {place} beaches',
  ],
];
const COVID = [
  'covid vaccine rollout reaches {place}', 'lockdown extended in {place}', '{num} new covid cases in {place}',
  'border closure hits {place} tourism', 'covid testing clinic opens in {place}',
];
const ENDINGS = [
  '', ' report', ' says minister', ' amid concerns', ' again', ' locals say', ' inquiry told', ' police say', ' court told',
  ' union says', ' experts warn', ' residents say', ' mayor says', ' opposition says', ' premier says', ' study finds',
  ' after review', ' this week', ' despite protests', ' for second time', ' overnight', ' at last', ' as costs rise', ' under pressure',
];

function mix(seed: number, index: number, salt: number): number {
  // A few rounds of an integer hash: independent-looking values for every (seed, index, salt).
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ Math.imul(salt + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

const pick = <T>(list: readonly T[], value: number): T => list[value % list.length]!;

const TEMPLATES = TOPICS.flat();
const COMBINATIONS = TEMPLATES.length * PLACES.length * ENDINGS.length;
// A multiplier with no factor in common with COMBINATIONS: index -> index * STEP is then a
// permutation, so rows fewer than COMBINATIONS apart (the whole nominal corpus) never share a
// wording, while neighbours still look unrelated.
const STEP = (() => {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = Math.floor(COMBINATIONS * 0.618) | 1;
  while (gcd(step, COMBINATIONS) !== 1) step += 2;
  return step;
})();

const permuted = (index: number, seed: number): number => (index * STEP + mix(seed, 0, 7)) % COMBINATIONS;

/** A combination number split into a template, a place and an ending. */
function coded(templates: readonly string[], value: number): { template: string; place: number; ending: number } {
  return {
    ending: value % ENDINGS.length,
    place: Math.floor(value / ENDINGS.length) % PLACES.length,
    template: templates[Math.floor(value / (ENDINGS.length * PLACES.length)) % templates.length]!,
  };
}

if (COMBINATIONS < NOMINAL_ROWS) throw new Error('generated-headlines: fewer wordings than rows');

const useCovid = (time: number, seed: number, index: number): boolean => time >= COVID_FROM && mix(seed, index, 0) % 3 === 0;

/** Row `index` of the generated corpus: a `YYYYMMDD` date and a lowercase headline. */
export function headlineAt(index: number, seed = 1): { date: string; text: string } {
  const time = dateAt((index % NOMINAL_ROWS) / NOMINAL_ROWS);
  const date = new Date(time).toISOString().slice(0, 10).replaceAll('-', '');
  const { template, place, ending } = useCovid(time, seed, index) ? coded(COVID, mix(seed, index, 1)) : coded(TEMPLATES, permuted(index, seed));
  const text = template
    .replace('{place}', PLACES[place]!)
    .replace('{person}', pick(PEOPLE, mix(seed, index, 4)))
    .replace('{num}', String(2 + (mix(seed, index, 5) % 89)));
  return { date, text: text + ENDINGS[ending]! };
}

/** A Kaggle-format CSV (header included) of the rows `indexes` names, in that order. */
export function generatedCsv(indexes: Iterable<number>, seed = 1): string {
  const lines = ['publish_date,headline_text'];
  for (const i of indexes) {
    const { date, text } = headlineAt(i, seed);
    lines.push(`${date},${text}`);
  }
  return lines.join('\n') + '\n';
}

/** `count` row indexes from `start`, `step` apart (a fractional step spreads them evenly). */
export function* range(start: number, count: number, step = 1): Generator<number> {
  for (let i = 0; i < count; i++) yield start + Math.floor(i * step);
}
