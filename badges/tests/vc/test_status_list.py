"""W3C Bitstring Status List v1.0 encodedList."""

import base64
import gzip
import random

import pytest

from badges.openbadges.vc.status_list import (
    MALFORMED_VALUE_ERROR,
    MIN_ENTRIES,
    RANGE_ERROR,
    STATUS_LIST_LENGTH_ERROR,
    BitstringStatusList,
    StatusListError,
)

from .conftest import golden_json

SPEC = golden_json("bitstring-status-list.json")


def encoded(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw)).rstrip(b"=").decode()


def test_spec_example_decodes_to_an_empty_list_of_the_minimum_size():
    status_list = BitstringStatusList.decode(SPEC["encodedList"])
    assert len(status_list) == SPEC["entries"] == MIN_ENTRIES
    assert status_list.to_bytes() == bytes(MIN_ENTRIES // 8)


def test_empty_list_encodes_to_the_spec_example_byte_for_byte():
    assert BitstringStatusList().encode() == SPEC["encodedList"]


def test_index_zero_is_the_left_most_bit():
    status_list = BitstringStatusList()
    status_list.set(0)
    status_list.set(9)
    status_list.set(MIN_ENTRIES - 1)
    raw = status_list.to_bytes()
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert raw[-1] == 0b0000_0001


def test_set_get_clear_and_round_trip():
    rng = random.Random(20250630)
    revoked = set(rng.sample(range(MIN_ENTRIES), 500))
    status_list = BitstringStatusList()
    for index in revoked:
        status_list.set(index)
    status_list.set(next(iter(revoked)), 0)
    revoked.discard(next(iter(revoked)))
    decoded = BitstringStatusList.decode(status_list.encode())
    assert {i for i in range(MIN_ENTRIES) if decoded.get(i)} == revoked
    assert len(status_list.encode()) < 2000  # sparse lists compress well


def test_bits_written_by_another_encoder_read_back():
    raw = bytearray(MIN_ENTRIES // 8)
    raw[12] = 0b0010_0000  # index 12 * 8 + 2 = 98
    status_list = BitstringStatusList.decode(encoded(bytes(raw)))
    assert status_list.get(98) == 1
    assert sum(status_list.get(i) for i in range(MIN_ENTRIES)) == 1


def test_multi_bit_entries():
    status_list = BitstringStatusList(status_size=2)
    status_list.set(3, 0b10)
    status_list.set(4, 0b01)
    assert status_list.to_bytes()[0] == 0b0000_0010  # entry 3 is bits 6-7
    assert status_list.to_bytes()[1] == 0b0100_0000  # entry 4 is bits 8-9
    decoded = BitstringStatusList.decode(status_list.encode(), status_size=2)
    assert (decoded.get(3), decoded.get(4), decoded.get(5)) == (2, 1, 0)
    with pytest.raises(ValueError):
        status_list.set(0, 4)


def test_too_short_lists_are_rejected():
    with pytest.raises(StatusListError) as raised:
        BitstringStatusList.decode(encoded(bytes(MIN_ENTRIES // 8 - 1)))
    assert raised.value.code == STATUS_LIST_LENGTH_ERROR
    with pytest.raises(StatusListError):
        BitstringStatusList(MIN_ENTRIES - 1)
    # with 2-bit entries the same 16KB hold only half the entries
    with pytest.raises(StatusListError):
        BitstringStatusList.decode(SPEC["encodedList"], status_size=2)


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, True, "3"])
def test_indexes_outside_the_list_are_range_errors(index):
    with pytest.raises(StatusListError) as raised:
        BitstringStatusList().get(index)
    assert raised.value.code == RANGE_ERROR


@pytest.mark.parametrize(
    "value",
    [
        SPEC["encodedList"][1:],  # no multibase prefix
        "z" + SPEC["encodedList"][1:],  # base58 prefix
        SPEC["encodedList"] + "==",  # padded
        "u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="),
        SPEC["encodedList"][:-6],  # truncated stream
        12345,
    ],
)
def test_malformed_encoded_lists_are_rejected(value):
    with pytest.raises(StatusListError) as raised:
        BitstringStatusList.decode(value)
    assert raised.value.code == MALFORMED_VALUE_ERROR


def test_gzip_bombs_are_refused():
    bomb = encoded(bytes(64 * 1024 * 1024))  # 64 MiB of zeros, ~64 KiB compressed
    with pytest.raises(StatusListError, match="larger than allowed"):
        BitstringStatusList.decode(bomb)
