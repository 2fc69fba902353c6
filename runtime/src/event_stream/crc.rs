//! CRC-32/ISO-HDLC, the checksum of the prelude and of each message.

/// The reflected CRC-32/ISO-HDLC polynomial (zlib, IEEE 802.3, PNG, gzip).
pub(super) const CRC32_POLY: u32 = 0xEDB8_8320;

/// `CRC32_TABLE[b]` is the CRC register after shifting in byte `b` from zero.
pub(super) const CRC32_TABLE: [u32; 256] = crc32_table();

pub(super) const fn crc32_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ CRC32_POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
}

/// CRC-32/ISO-HDLC of `data` (what `zlib.crc32` computes).
pub(super) fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

/// Continues a CRC-32: `crc32_update(crc32(a), b) == crc32(a ++ b)`.
pub(super) fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut reg = !crc;
    for &byte in data {
        // The index is masked to 0..=255.
        reg = CRC32_TABLE[((reg ^ u32::from(byte)) & 0xFF) as usize] ^ (reg >> 8);
    }
    !reg
}
