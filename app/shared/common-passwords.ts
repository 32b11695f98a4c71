/**
 * The password rules of sign-up and password change. They run in the browser: the server never
 * sees the password (only a key stretched from it), so it cannot check it. Imports nothing, so
 * the browser bundle takes only this file.
 *
 * Not a strength meter: it refuses what attackers try first (lists of leaked passwords, a common
 * word with digits around it, keyboard runs, repeats) and lets anything else of 10 characters
 * or more through, as NIST SP 800-63B advises.
 */
export const PASSWORD_MIN_LENGTH = 10;
/** Beyond this the form refuses rather than stretch a pasted essay. */
export const PASSWORD_MAX_LENGTH = 256;

/** Words that top every leaked list, which people pad with digits and symbols to reach a length. */
const COMMON_WORDS = new Set(
  (
    "password passw0rd passwort motdepasse contraseña senha parola wachtwoord haslo salasana " +
    "iloveyou iloveu loveyou ihateyou lovely loveme love lover mylove sweetheart sweetie honey " +
    "qwerty qwertz azerty qwert asdf asdfgh asdfghjkl zxcvbn zxcvbnm qazwsx qweasd qweasdzxc " +
    "abc abcd abcde abcdef abcdefg letmein welcome hello hellokitty hi admin administrator root " +
    "user guest test testing tester temp demo default changeme secret login access master " +
    "monkey dragon shadow killer hunter ninja pirate tiger lion eagle falcon phoenix wolf " +
    "sunshine princess prince angel angels flower butterfly rainbow star stars unicorn " +
    "football baseball basketball soccer hockey tennis golf cricket rugby boxing chelsea " +
    "arsenal liverpool manchester manutd barcelona realmadrid juventus yankees lakers cowboys " +
    "superman batman spiderman ironman starwars startrek pokemon pikachu minecraft fortnite " +
    "roblox naruto goku matrix gandalf hogwarts harrypotter playstation xbox nintendo mario " +
    "michael jennifer jessica ashley daniel charlie thomas jordan robert william david richard " +
    "joseph andrew joshua matthew anthony christopher alexander elizabeth michelle nicole " +
    "amanda melissa sarah justin brandon taylor maggie buster bailey ginger pepper cookie " +
    "cheese chocolate banana orange apple purple yellow silver golden diamond crystal " +
    "summer winter spring autumn monday friday sunday january february march april june july " +
    "august september october november december christmas halloween " +
    "freedom whatever trustno1 computer internet google facebook myspace linkedin twitter " +
    "instagram youtube samsung iphone android windows microsoft mustang ferrari porsche " +
    "corvette harley mercedes jesus god heaven blessed faith family mother father forever " +
    "beautiful baby babygirl babyboy blink182 fuckyou fuckoff asshole bitch shit pussy " +
    "money dollar bigdaddy cowboy hammer thunder lightning snoopy peanut garfield scooby " +
    "ephemera chat chatroom private secure security"
  ).split(" "),
);

/**
 * Leaked passwords of 10 or more characters that are not a common word with padding (those the
 * rule above catches): phrases, keyboard patterns, names with numbers as people type them.
 */
const COMMON_PASSWORDS = new Set(
  (
    "1q2w3e4r5t 1q2w3e4r5t6y 1q2w3e4r5t6y7u 1qaz2wsx3edc 1qaz2wsx3edc4rfv zaq12wsxcde3 zaq1xsw2cde3 " +
    "1qazxsw23edc qazwsxedcrfv qazwsxedcrfvtgb q1w2e3r4t5 q1w2e3r4t5y6 a1s2d3f4g5 z1x2c3v4b5 " +
    "1a2b3c4d5e 1a2s3d4f5g a1b2c3d4e5 qwertyuiop qwertyuiopasdfghjkl asdfghjkl zxcvbnm " +
    "qweasdzxc qweasdzxc123 qwe123qwe123 asd123asd123 zxc123zxc123 qwerasdfzxcv " +
    "1234qwerasdf 1234qwerasdfzxcv qwer1234 1234qwer poiuytrewq lkjhgfdsa mnbvcxz " +
    "0147258369 1472583690 7894561230 1593572486 9517534862 3692581470 1478963250 " +
    "1234554321 1122334455 1234512345 1212121212 1010101010 2020202020 6969696969 " +
    "123123123123 321321321321 112233445566 123451234512345 12341234 1234567890 0987654321 " +
    "12345678910 1234567891 12345678900 123456789000 9876543210 0123456789 " +
    "iloveyouforever iloveyoutoo iloveyouso iloveyoubaby iloveyoumom iloveyoudad " +
    "letmeinnow letmeinplease pleaseletmein opensesame openupnow youcantguess " +
    "trustnoone trustno1trustno1 nopassword mypassword thepassword newpassword oldpassword " +
    "secretpassword supersecret topsecret verysecret mysecret " +
    "correcthorsebatterystaple correcthorse batterystaple " +
    "thequickbrownfox thequickbrownfoxjumpsoverthelazydog " +
    "blink182blink182 godisgood jesuschrist jesusisking jesuslovesme praisethelord " +
    "wholetthedogsout whatsup123 iamthebest imthebest iamgreat iamawesome " +
    "onetwothreefour onetwothree helloworld hellothere goodmorning goodnight " +
    "dragonball dragonballz spongebob spongebob1 spongebobsquarepants teenagemutantninjaturtles " +
    "harrypotter1 lordoftherings darthvader lukeskywalker " +
    "michaeljordan kobebryant cristianoronaldo lionelmessi " +
    "manchesterunited liverpoolfc chelseafc arsenalfc realmadrid1 fcbarcelona " +
    "tinkerbell cheerleader sweetpea1234 loveyoubaby mylovemylife foreverlove lovemefoever " +
    "princesa123 tequiero123 teamo12345 jetaime123 ichliebedich tiamo12345 " +
    "bismillah 786786786786 allahuakbar " +
    "asdfqwer1234 qwertyasdfgh qwertyqwerty asdfasdfasdf zxcvzxcvzxcv qazqazqaz " +
    "aa12345678 a123456789 a1234567890 abc1234567 abcd123456 abcde12345 abcdef1234 " +
    "123456789a 123456789q 123456789z 1234567890q 1234567890a q123456789 z123456789 " +
    "qwe1234567 asd1234567 zxc1234567 qaz1234567 qwerty12345 qwerty123456 " +
    "passpasspass passwordpassword pass12345678 pass123456 pass1234567 " +
    "admin12345 admin123456 administrator1 root12345 rootroot " +
    "changeme123 welcome12345 default1234 guest12345 test123456 testtest123 " +
    "ephemera123 ephemerachat"
  ).split(" "),
);

/** Rows and runs that are one gesture on a keyboard or one count, forwards and backwards. */
const RUNS = [
  "abcdefghijklmnopqrstuvwxyz",
  "12345678901234567890",
  "qwertyuiopasdfghjklzxcvbnm",
  "qwertzuiopasdfghjklyxcvbnm",
  "azertyuiopqsdfghjklmwxcvbn",
  "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
  "qazwsxedcrfvtgbyhnujmikolp",
  "!@#$%^&*()_+",
  "`1234567890-=",
  "1q2w3e4r5t6y7u8i9o0p",
  "q1w2e3r4t5y6u7i8o9p0",
  "a1s2d3f4g5h6j7k8l9",
  "z1x2c3v4b5n6m7",
  "0147258369",
  "7894561230",
  "1472583690",
].flatMap((run) => [run, [...run].reverse().join("")]);

const LEET: Record<string, string> = {
  "0": "o",
  "3": "e",
  "4": "a",
  "@": "a",
  $: "s",
  "5": "s",
  "7": "t",
  "9": "g",
};

const deleet = (text: string, one: "i" | "l") =>
  [...text].map((char) => (char === "1" ? one : (LEET[char] ?? char))).join("");

/** The password without digits and symbols around it: "P@ssword2024!" → "p@ssword". */
const core = (text: string) => text.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");

/** Whether the whole text is one short unit repeated (allowing a cut-off last repeat). */
function repeatedUnit(text: string): string | null {
  for (let size = 1; size <= text.length / 2; size += 1) {
    let repeats = true;
    for (let index = size; index < text.length && repeats; index += 1) repeats = text[index] === text[index % size];
    if (repeats) return text.slice(0, size);
  }
  return null;
}

function isCommon(text: string): boolean {
  const stripped = core(text);
  // Padding is stripped before leetspeak is read: "p@ssw0rd123" is "p@ssw0rd", then "password".
  const readings = [text, stripped].flatMap((variant) => [deleet(variant, "i"), deleet(variant, "l")]);
  const candidates = new Set([text, stripped, ...readings]);
  for (const candidate of candidates) {
    if (COMMON_PASSWORDS.has(candidate) || COMMON_WORDS.has(candidate)) return true;
    const unit = repeatedUnit(candidate);
    if (unit && COMMON_WORDS.has(unit)) return true;
  }
  return false;
}

export const PASSWORD_PROBLEMS = {
  tooShort: `A password needs at least ${PASSWORD_MIN_LENGTH} characters.`,
  tooLong: `A password has at most ${PASSWORD_MAX_LENGTH} characters.`,
  common: "This password is one of the most common ones, which are tried first. Choose another.",
  repeated: "This password is a few characters repeated, which is easy to guess. Choose another.",
  run: "This password is a run of keys or characters in order, which is easy to guess. Choose another.",
  username: "This password is built on your username, which is the first thing tried. Choose another.",
} as const;

/**
 * What is wrong with a new password, as a sentence for the form, or null when it may be used.
 * `username` (as typed) refuses passwords that are little more than the name.
 */
export function passwordProblem(password: string, username?: string): string | null {
  // Counted in characters as a person sees them, not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return PASSWORD_PROBLEMS.tooShort;
  if (length > PASSWORD_MAX_LENGTH) return PASSWORD_PROBLEMS.tooLong;
  // The same normalisation the key derivation uses, then case folded: "PASSWORD123" is no better.
  const text = password.normalize("NFKC").toLowerCase();
  const unit = repeatedUnit(text);
  if (unit && unit.length <= 4) return PASSWORD_PROBLEMS.repeated;
  if (RUNS.some((run) => run.includes(text))) return PASSWORD_PROBLEMS.run;
  if (isCommon(text)) return PASSWORD_PROBLEMS.common;
  const name = username?.toLowerCase();
  if (name && name.length >= 3 && text.includes(name) && [...text.replaceAll(name, "")].length < 6) {
    return PASSWORD_PROBLEMS.username;
  }
  return null;
}
