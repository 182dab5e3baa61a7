"""W3C Bitstring Status List v1.0: the ``encodedList`` bitstring, encoded and decoded.

https://www.w3.org/TR/vc-bitstring-status-list/

- §2.2 BitstringStatusListCredential, ``encodedList``: multibase base64url without padding
  (prefix 'u') of the GZIP-compressed (RFC 1952) bitstring, at least 16KB (131,072 entries)
  uncompressed; index 0 is the left-most bit (the most significant bit of the first byte).
- §3.3/§3.4 Bitstring Generation and Expansion algorithms.
- §3.2 Validate Algorithm: the entry at ``statusListIndex`` is ``statusSize`` bits starting at
  ``statusListIndex * statusSize``; fewer than the minimum number of entries is a
  STATUS_LIST_LENGTH_ERROR, an index outside the list a RANGE_ERROR.
"""

import base64
import gzip
import zlib

MIN_ENTRIES = 131_072
MULTIBASE_BASE64URL = "u"
# A status list is public input to a verifier: refuse gzip bombs. 16 MiB is 128M entries.
MAX_BITSTRING_BYTES = 16 * 1024 * 1024

STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
RANGE_ERROR = "RANGE_ERROR"
MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"


class StatusListError(ValueError):
    """A bitstring could not be decoded or used; ``code`` is the spec's error name."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class BitstringStatusList:
    """A status list of ``len(self)`` entries of ``status_size`` bits each, all 0 initially."""

    def __init__(self, entries: int = MIN_ENTRIES, *, status_size: int = 1):
        if status_size < 1:
            raise ValueError("status_size must be at least 1")
        if entries < MIN_ENTRIES:
            raise StatusListError(
                STATUS_LIST_LENGTH_ERROR, f"a status list holds at least {MIN_ENTRIES} entries"
            )
        self.status_size = status_size
        self._entries = entries
        self._bits = bytearray(-(-entries * status_size // 8))

    def __len__(self) -> int:
        return self._entries

    def _position(self, index: int) -> int:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self):
            raise StatusListError(RANGE_ERROR, f"index {index!r} is outside the status list")
        return index * self.status_size

    def get(self, index: int) -> int:
        """The status at ``index`` (0 or 1 for single-bit lists)."""
        start = self._position(index)
        value = 0
        for bit in range(start, start + self.status_size):
            value = (value << 1) | (self._bits[bit >> 3] >> (7 - (bit & 7))) & 1
        return value

    def set(self, index: int, value: int = 1) -> None:
        """Set the status at ``index``; ``value`` must fit in ``status_size`` bits."""
        if not 0 <= value < 1 << self.status_size:
            raise ValueError(f"status {value} does not fit in {self.status_size} bit(s)")
        start = self._position(index)
        for offset in range(self.status_size):
            bit = start + offset
            mask = 0x80 >> (bit & 7)  # left-most bit first (§2.2, encodedList)
            if value >> (self.status_size - 1 - offset) & 1:
                self._bits[bit >> 3] |= mask
            else:
                self._bits[bit >> 3] &= ~mask & 0xFF

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def encode(self) -> str:
        """§3.3 Bitstring Generation: the ``encodedList`` value.

        ``mtime=0`` keeps the output a function of the bits alone, so republishing an unchanged
        list does not change its bytes; zlib's default level 6 is what Node.js libraries use,
        and reproduces the spec's example (§2.2) byte for byte.
        """
        compressed = gzip.compress(self.to_bytes(), compresslevel=6, mtime=0)
        return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()

    @classmethod
    def decode(
        cls,
        encoded_list: str,
        *,
        status_size: int = 1,
        min_entries: int = MIN_ENTRIES,
    ) -> "BitstringStatusList":
        """§3.4 Bitstring Expansion of an ``encodedList`` value, with the §3.2 length check."""
        if not isinstance(encoded_list, str) or not encoded_list.startswith(MULTIBASE_BASE64URL):
            raise StatusListError(MALFORMED_VALUE_ERROR, "encodedList must be multibase 'u'")
        body = encoded_list[1:]
        if "=" in body:
            raise StatusListError(MALFORMED_VALUE_ERROR, "encodedList must not be padded")
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip container only
            bits = inflater.decompress(compressed, MAX_BITSTRING_BYTES)
        except (ValueError, zlib.error) as error:
            raise StatusListError(MALFORMED_VALUE_ERROR, f"encodedList: {error}") from error
        if inflater.unconsumed_tail:
            raise StatusListError(MALFORMED_VALUE_ERROR, "status list is larger than allowed")
        if not inflater.eof:
            raise StatusListError(MALFORMED_VALUE_ERROR, "encodedList is truncated")
        entries = len(bits) * 8 // status_size
        if entries < min_entries:
            raise StatusListError(
                STATUS_LIST_LENGTH_ERROR,
                f"status list has {entries} entries, fewer than {min_entries}",
            )
        status_list = cls.__new__(cls)
        status_list.status_size = status_size
        status_list._entries = entries
        status_list._bits = bytearray(bits)
        return status_list
