//! Just enough X.509 for `uploadSslCert`: PEM blocks, a DER walker, the
//! RSA public key of a certificate and of a private key (to check they
//! belong together, as `CertServiceImpl.validateKeys` does by signing), and
//! the SHA-1 fingerprint `CertificateHelper.generateFingerPrint` answers.

use base64::Engine;

/// The DER bytes of every `-----BEGIN <label>-----` block of `text` whose
/// label ends with `suffix` (`CERTIFICATE`, `PRIVATE KEY`).
pub(crate) fn blocks(text: &str, suffix: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after[..label_end].to_string();
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else {
            break;
        };
        let body: String = body_start[..body_end]
            .lines()
            .filter(|l| !l.contains(':'))
            .collect::<String>()
            .split_whitespace()
            .collect();
        if label.ends_with(suffix) {
            if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(body) {
                out.push((label.clone(), der));
            }
        }
        rest = &body_start[body_end + end_marker.len()..];
    }
    out
}

/// One DER element: its tag and contents.
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
}

/// Reads the element at the start of `data`; answers it and what follows.
fn read(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((
        Tlv {
            tag,
            body: &rest[..len],
        },
        &rest[len..],
    ))
}

/// The elements of a SEQUENCE's contents.
fn items(mut data: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let (tlv, rest) = read(data)?;
        out.push(tlv);
        data = rest;
    }
    Some(out)
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
/// The OID of rsaEncryption (1.2.840.113549.1.1.1).
const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// An RSA public key: modulus and exponent, without leading zero bytes.
pub(crate) type RsaKey = (Vec<u8>, Vec<u8>);

fn unsigned(int: &[u8]) -> Vec<u8> {
    let start = int.iter().position(|b| *b != 0).unwrap_or(int.len());
    int[start..].to_vec()
}

/// A parsed certificate: its algorithm (RSA or another) and RSA key.
#[derive(Debug)]
pub(crate) struct Certificate {
    /// The RSA key of its subject, when the key is RSA.
    pub(crate) rsa: Option<RsaKey>,
}

/// Parses a DER X.509 certificate down to its subject's public key.
pub(crate) fn certificate(der: &[u8]) -> Option<Certificate> {
    let (outer, _) = read(der)?;
    if outer.tag != SEQUENCE {
        return None;
    }
    let parts = items(outer.body)?;
    let [tbs, signature_algorithm, signature] = parts.as_slice() else {
        return None;
    };
    if tbs.tag != SEQUENCE || signature_algorithm.tag != SEQUENCE || signature.tag != BIT_STRING {
        return None;
    }
    let fields = items(tbs.body)?;
    // [0] version is optional; then serial, signature, issuer, validity,
    // subject, subjectPublicKeyInfo.
    let skip = usize::from(fields.first()?.tag == 0xa0);
    let spki = fields.get(skip + 5)?;
    if spki.tag != SEQUENCE {
        return None;
    }
    let key_parts = items(spki.body)?;
    let [algorithm, key] = key_parts.as_slice() else {
        return None;
    };
    let oid = items(algorithm.body)?.into_iter().next()?;
    if oid.body != RSA_OID {
        return Some(Certificate { rsa: None });
    }
    // The BIT STRING holds RSAPublicKey ::= SEQUENCE { n, e } after its
    // unused-bits byte.
    let (public, _) = read(key.body.get(1..)?)?;
    let numbers = items(public.body)?;
    let [n, e] = numbers.as_slice() else {
        return None;
    };
    Some(Certificate {
        rsa: Some((unsigned(n.body), unsigned(e.body))),
    })
}

/// The RSA public half of a PKCS#8 (`PRIVATE KEY`) or PKCS#1
/// (`RSA PRIVATE KEY`) private key; `None` when it cannot be read, and
/// `Some(None)` for a key of another algorithm.
pub(crate) fn private_key(label: &str, der: &[u8]) -> Option<Option<RsaKey>> {
    let (outer, _) = read(der)?;
    if outer.tag != SEQUENCE {
        return None;
    }
    let parts = items(outer.body)?;
    let pkcs1 = if label == "RSA PRIVATE KEY" {
        outer.body
    } else {
        // PrivateKeyInfo ::= SEQUENCE { version, algorithm, OCTET STRING }
        let [version, algorithm, key, ..] = parts.as_slice() else {
            return None;
        };
        if version.tag != INTEGER || key.tag != OCTET_STRING {
            return None;
        }
        let oid = items(algorithm.body)?.into_iter().next()?;
        if oid.body != RSA_OID {
            return Some(None);
        }
        let (inner, _) = read(key.body)?;
        inner.body
    };
    // RSAPrivateKey ::= SEQUENCE { version, n, e, d, ... }
    let numbers = items(pkcs1)?;
    let [version, n, e, ..] = numbers.as_slice() else {
        return None;
    };
    if version.tag != INTEGER || n.tag != INTEGER || e.tag != INTEGER {
        return None;
    }
    Some(Some((unsigned(n.body), unsigned(e.body))))
}

/// SHA-1 of `data` (FIPS 180-4).
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in message.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in chunk.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let temp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        for (slot, value) in h.iter_mut().zip([a, b, c, d, e]) {
            *slot = slot.wrapping_add(value);
        }
    }
    let mut out = [0u8; 20];
    for (i, word) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// `CertificateHelper.generateFingerPrint`: the SHA-1 of the DER bytes as
/// upper-case hex pairs joined by colons.
pub(crate) fn fingerprint(der: &[u8]) -> String {
    sha1(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_the_standard_vectors() {
        let hex = |d: [u8; 20]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(hex(sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }
}
