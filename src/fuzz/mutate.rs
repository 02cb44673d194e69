//! Structure-aware mutations of JSON, YAML and XML documents, from a small deterministic PRNG.

/// xorshift64*: fast, deterministic for a seed, good enough to pick mutations.
#[derive(Debug)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `bound` (0 when `bound` is 0).
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }
}

/// FNV-1a, for naming inputs and seeding per target.
pub(super) fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Tokens that matter to the parsers: structure, escapes, numbers at the edges, duplicate
/// keys, XML declarations and entities, YAML anchors and tags, digests and purls.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "\\",
    "\\u0000",
    "\\ud800",
    "\\udc00",
    "\\ud800\\udc00",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1e999",
    "-1e999",
    "1.5e-400",
    "18446744073709551616",
    "-9223372036854775809",
    "99999999999999999999d",
    "NaN",
    "Infinity",
    "\"a\":1,\"a\":2,",
    "\"\":",
    "<!DOCTYPE x [<!ENTITY e \"ee\">]>",
    "&e;",
    "&#0;",
    "&#x10FFFF;",
    "&amp;",
    "&lt;",
    "<![CDATA[",
    "]]>",
    "<testsuite tests=\"10\" failures=\"3\">",
    "<testcase name=\"t\">",
    "</testcase>",
    "<failure/>",
    "</testsuite>",
    "<?xml version=\"1.1\"?>",
    "\n- ",
    "- ",
    ": ",
    "&a ",
    "*a",
    "!!binary ",
    "!!str ",
    "---\n",
    "\n...\n",
    "~",
    "\t",
    "\u{feff}",
    "\r\n",
    "é",
    "\u{0}",
    "sha256:",
    "@sha256:",
    "sha256%3A",
    "pkg:oci/",
    "pkg:npm/x@1",
    "?repository_url=",
    "2026-11-27T12:00:00Z",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00+25:00",
    "PASSED",
    "FAILED",
    "not_affected",
    "under_investigation",
    "\"status\":\"fixed\",",
    "containers",
    "\"payloadType\":",
    "\"mediaType\":",
    crate::wire::IN_TOTO_PAYLOAD_TYPE,
    "STAGEGATE_STAGE_dev",
];

/// One mutated input: a seed with one to four mutations, at most 1 MiB.
pub(super) fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds
        .get(rng.below(seeds.len()))
        .cloned()
        .unwrap_or_default();
    for _ in 0..=rng.below(4) {
        mutate_once(rng, &mut data, seeds);
    }
    data.truncate(1024 * 1024);
    data
}

fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    let len = data.len();
    match rng.below(11) {
        // Flip a bit.
        0 if len > 0 => {
            let at = rng.below(len);
            data[at] ^= 1 << rng.below(8);
        }
        // Replace a byte with a structural one.
        1 if len > 0 => {
            const BYTES: &[u8] = b"{}[]\",:\\<>&/\n\0-09e.@#%'`*!|";
            let at = rng.below(len);
            data[at] = BYTES[rng.below(BYTES.len())];
        }
        // Delete a range.
        2 if len > 0 => {
            let at = rng.below(len);
            let end = (at + 1 + rng.below(64)).min(len);
            data.drain(at..end);
        }
        // Duplicate a range somewhere else.
        3 if len > 0 => {
            let at = rng.below(len);
            let end = (at + 1 + rng.below(256)).min(len);
            let chunk = data[at..end].to_vec();
            let to = rng.below(len);
            data.splice(to..to, chunk);
        }
        // Insert a token.
        4 | 5 => {
            let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
            let to = rng.below(len + 1);
            data.splice(to..to, token.iter().copied());
        }
        // Splice the tail of another seed in.
        6 if len > 0 => {
            if let Some(other) = seeds.get(rng.below(seeds.len())).filter(|o| !o.is_empty()) {
                let at = rng.below(len);
                let from = rng.below(other.len());
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
        }
        // Truncate.
        7 if len > 0 => data.truncate(rng.below(len)),
        // Replace a number with an extreme one.
        8 => {
            if let Some(at) = (0..len.min(4096))
                .map(|_| rng.below(len))
                .find(|&i| data[i].is_ascii_digit())
            {
                let end = data[at..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(len, |p| at + p);
                const NUMBERS: &[&str] = &[
                    "0",
                    "-1",
                    "1e999",
                    "18446744073709551616",
                    "4294967296",
                    "1.0e-400",
                    "99999999999999999999",
                ];
                let number = NUMBERS[rng.below(NUMBERS.len())].as_bytes();
                data.splice(at..end, number.iter().copied());
            }
        }
        // Nest a range in brackets, several levels.
        9 if len > 0 => {
            let at = rng.below(len);
            let end = (at + rng.below(64)).min(len);
            let depth = 1 + rng.below(200);
            let (open, close) = if rng.below(2) == 0 {
                (b'[', b']')
            } else {
                (b'{', b'}')
            };
            let mut nested = vec![open; depth];
            nested.extend_from_slice(&data[at..end]);
            nested.extend(std::iter::repeat_n(close, depth));
            data.splice(at..end, nested);
        }
        // Repeat a range many times (size and count limits).
        _ if len > 0 => {
            let at = rng.below(len);
            let end = (at + 1 + rng.below(32)).min(len);
            let chunk = data[at..end].to_vec();
            let times = 1 + rng.below(2_000);
            let repeated: Vec<u8> = chunk
                .iter()
                .copied()
                .cycle()
                .take(chunk.len() * times)
                .collect();
            data.splice(at..at, repeated);
        }
        _ => data.extend_from_slice(TOKENS[rng.below(TOKENS.len())].as_bytes()),
    }
}
