/*
 * gateway.fix._speedups: C versions of the FIX layer's per-message hot path.
 *
 * Why: splitting, structuring, validating and encoding run once per message in
 * every session; in Python each costs microseconds of interpreter overhead that
 * is pure bookkeeping (loops over fields, tuple and dict building).
 *
 * Reference: the pure-Python code in codec.py and validation.py stays the
 * definition of the behaviour. Each function here handles only the common case
 * and must give exactly the Python result for it (same values, same bytes, same
 * verdict); for anything else it returns None ("not the simple case") and the
 * caller runs the Python path, which garbles, raises or handles groups as before.
 * tests/unit/fix/test_speedups.py compares the two on generated and mangled input.
 *
 * Plain CPython C API, single-phase init, no dependency beyond Python.h.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

#define SOH 0x01
#define TAG_CACHE 10000

/* PyLong objects for tags 0..9999, like codec._TAG_OF's values (shared, not rebuilt). */
static PyObject *tag_ints[TAG_CACHE];
static PyObject *str_intersection;
static PyObject *str_keys;

/* Decimal digits of a nonnegative number. */
static Py_ssize_t
digit_count(unsigned long long value)
{
    Py_ssize_t count = 1;
    while (value >= 10) {
        value /= 10;
        count++;
    }
    return count;
}

/* Writes `value` in decimal at `out` (exactly digit_count(value) bytes). */
static char *
write_unsigned(char *out, unsigned long long value)
{
    Py_ssize_t count = digit_count(value);
    char *end = out + count;
    char *cursor = end;
    do {
        *--cursor = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return end;
}

static PyObject *
tag_object(long tag)
{
    PyObject *cached = tag_ints[tag];
    Py_INCREF(cached);
    return cached;
}

/* ------------------------------------------------------------------------- */
/* split_fields                                                              */
/* ------------------------------------------------------------------------- */

/* Appends (tag, latin-1 value) at `index`; -1 with an exception on failure. */
static int
put_field(PyObject *tags, PyObject *values, Py_ssize_t index, long tag,
          const unsigned char *data, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *value = PyUnicode_DecodeLatin1((const char *)data + start, end - start, NULL);
    if (value == NULL) {
        return -1;
    }
    PyList_SET_ITEM(tags, index, tag_object(tag));
    PyList_SET_ITEM(values, index, value);
    return 0;
}

/* The data field whose length field `tag` is, or -1 (codec._LENGTH_OF_DATA). */
static long
data_after_length(long tag)
{
    switch (tag) {
    case 93:
        return 89;
    case 90: case 95: case 212: case 348: case 350: case 352: case 354: case 356:
    case 358: case 360: case 362: case 364: case 445: case 618: case 621:
        return tag + 1;
    default:
        return -1;
    }
}

PyDoc_STRVAR(split_fields_doc,
"split_fields(frame, /)\n--\n\n"
"codec.split_fields for a frame that splits cleanly, else None (use the Python path).\n\n"
"Handled: `8=...|9=<digits>|35=` first, BodyLength and CheckSum right, every field\n"
"with an '=', every tag from 35 to the CheckSum canonical 0..9999 and not 8, 9 or 10,\n"
"every data field as long as its length field says (no SOH inside).");

static PyObject *
split_fields(PyObject *module, PyObject *frame)
{
    (void)module;
    if (!PyBytes_CheckExact(frame)) {
        Py_RETURN_NONE;
    }
    const unsigned char *data = (const unsigned char *)PyBytes_AS_STRING(frame);
    Py_ssize_t size = PyBytes_GET_SIZE(frame);

    /* 8=<no SOH>*<SOH>9=<digits><SOH>35= */
    if (size < 2 || data[0] != '8' || data[1] != '=') {
        Py_RETURN_NONE;
    }
    const unsigned char *found = memchr(data + 2, SOH, (size_t)(size - 2));
    if (found == NULL) {
        Py_RETURN_NONE;
    }
    Py_ssize_t first_end = found - data;
    Py_ssize_t cursor = first_end + 1;
    if (cursor + 2 > size || data[cursor] != '9' || data[cursor + 1] != '=') {
        Py_RETURN_NONE;
    }
    cursor += 2;
    Py_ssize_t length_start = cursor;
    Py_ssize_t declared = 0;  /* stops growing once above `size`: then it cannot match */
    while (cursor < size && data[cursor] >= '0' && data[cursor] <= '9') {
        if (declared <= size) {
            declared = declared * 10 + (data[cursor] - '0');
        }
        cursor++;
    }
    if (cursor == length_start || cursor + 4 > size || data[cursor] != SOH
            || data[cursor + 1] != '3' || data[cursor + 2] != '5' || data[cursor + 3] != '=') {
        Py_RETURN_NONE;
    }
    Py_ssize_t second_end = cursor;
    Py_ssize_t msg_type_field = second_end + 1;  /* head.end() - 3 */

    /* The last <SOH>10=, as text.rfind. */
    Py_ssize_t checksum_start = -1;
    for (Py_ssize_t at = size - 4; at >= 0; at--) {
        if (data[at] == SOH && data[at + 1] == '1' && data[at + 2] == '0' && data[at + 3] == '=') {
            checksum_start = at + 1;
            break;
        }
    }
    if (checksum_start < 0 || declared > size || checksum_start != msg_type_field + declared) {
        Py_RETURN_NONE;
    }
    /* CheckSum: 1+ ASCII digits, then the frame's last byte, SOH. */
    Py_ssize_t sum_start = checksum_start + 3;
    if (sum_start >= size - 1 || data[size - 1] != SOH) {
        Py_RETURN_NONE;
    }
    unsigned int declared_sum = 0;  /* stops growing above 255: then it cannot match */
    for (Py_ssize_t at = sum_start; at < size - 1; at++) {
        unsigned char byte = data[at];
        if (byte < '0' || byte > '9') {
            Py_RETURN_NONE;
        }
        if (declared_sum <= 255) {
            declared_sum = declared_sum * 10 + (byte - '0');
        }
    }
    unsigned int total = 0;
    for (Py_ssize_t at = 0; at < checksum_start; at++) {
        total += data[at];
    }
    if (declared_sum != (total & 0xFF)) {
        Py_RETURN_NONE;
    }

    /* Every byte is in a field ending with SOH: one field per SOH. */
    Py_ssize_t count = 0;
    for (Py_ssize_t at = 0; at < size; at++) {
        count += data[at] == SOH;
    }
    PyObject *tags = PyList_New(count);
    if (tags == NULL) {
        return NULL;
    }
    PyObject *values = PyList_New(count);
    if (values == NULL) {
        Py_DECREF(tags);
        return NULL;
    }
    /* Until filled, list slots are NULL, which list_dealloc skips. */
    if (put_field(tags, values, 0, 8, data, 2, first_end) < 0
            || put_field(tags, values, 1, 9, data, length_start, second_end) < 0) {
        goto error;
    }
    Py_ssize_t index = 2;
    Py_ssize_t start = msg_type_field;
    long data_tag = -1;           /* the data field the previous field gave a length for */
    Py_ssize_t data_length = 0;   /* stops growing once above `size`: then it cannot match */
    while (start < checksum_start) {
        const unsigned char *field_end = memchr(data + start, SOH, (size_t)(checksum_start - start));
        /* checksum_start - 1 is an SOH, so one is always found. */
        Py_ssize_t end = field_end - data;
        const unsigned char *equals = memchr(data + start, '=', (size_t)(end - start));
        if (equals == NULL) {
            goto fallback;  /* a field without '=': garbled, said by Python */
        }
        Py_ssize_t tag_end = equals - data;
        Py_ssize_t tag_size = tag_end - start;
        if (tag_size < 1 || tag_size > 4 || (tag_size > 1 && data[start] == '0')) {
            goto fallback;
        }
        long tag = 0;
        for (Py_ssize_t at = start; at < tag_end; at++) {
            unsigned char byte = data[at];
            if (byte < '0' || byte > '9') {
                goto fallback;
            }
            tag = tag * 10 + (byte - '0');
        }
        if (tag == 8 || tag == 9 || tag == 10) {
            goto fallback;
        }
        if (index >= count - 1) {  /* cannot happen: one SOH per field */
            goto fallback;
        }
        if (tag == data_tag && end - (tag_end + 1) != data_length) {
            goto fallback;  /* SOH inside the data, or the wrong length: Python reads it */
        }
        if (put_field(tags, values, index, tag, data, tag_end + 1, end) < 0) {
            goto error;
        }
        index++;
        data_tag = data_after_length(tag);
        data_length = 0;
        for (Py_ssize_t at = tag_end + 1; data_tag >= 0 && at < end; at++) {
            unsigned char byte = data[at];
            if (byte < '0' || byte > '9') {
                data_tag = -1;  /* not a length: the data field ends at SOH, as in Python */
            }
            else if (data_length <= size) {
                data_length = data_length * 10 + (byte - '0');
            }
        }
        if (tag_end + 1 == end) {
            data_tag = -1;
        }
        start = end + 1;
    }
    if (index != count - 1
            || put_field(tags, values, index, 10, data, sum_start, size - 1) < 0) {
        goto error_or_fallback;
    }
    PyObject *result = PyTuple_Pack(2, tags, values);
    Py_DECREF(tags);
    Py_DECREF(values);
    return result;

error_or_fallback:
    if (!PyErr_Occurred()) {
        goto fallback;
    }
error:
    Py_DECREF(tags);
    Py_DECREF(values);
    return NULL;
fallback:
    Py_DECREF(tags);
    Py_DECREF(values);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------- */
/* build_flat                                                                */
/* ------------------------------------------------------------------------- */

/* `key in container`, by the container's own rules; -1 with an exception. */
static int
contains(PyObject *container, PyObject *key)
{
    if (PyFrozenSet_CheckExact(container) || PySet_CheckExact(container)) {
        return PySet_Contains(container, key);
    }
    if (PyDict_CheckExact(container)) {
        return PyDict_Contains(container, key);
    }
    return PySequence_Contains(container, key);
}

/* Appends the pair (a, b) to `list`; -1 with an exception. */
static int
append_pair(PyObject *list, PyObject *a, PyObject *b)
{
    PyObject *pair = PyTuple_Pack(2, a, b);
    if (pair == NULL) {
        return -1;
    }
    int status = PyList_Append(list, pair);
    Py_DECREF(pair);
    return status;
}

PyDoc_STRVAR(build_flat_doc,
"build_flat(tags, values, header_tags, trailer_tags, body_group_tags, header_group_tags, /)\n--\n\n"
"Validator.build's sections for a message without repeating groups:\n"
"(header, body, trailer, header_items, trailer_items, out_of_order_tag),\n"
"or None when a group tag is met (the Python path reads the group).");

static PyObject *
build_flat(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 6) {
        PyErr_Format(PyExc_TypeError, "build_flat expected 6 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *tags = args[0], *values = args[1], *header_tags = args[2];
    PyObject *trailer_tags = args[3], *body_groups = args[4], *header_groups = args[5];
    if (!PyList_CheckExact(tags) || !PyList_CheckExact(values)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t count = PyList_GET_SIZE(tags);
    if (count < 4 || PyList_GET_SIZE(values) != count) {
        Py_RETURN_NONE;
    }
    /* As `groups and tag in groups`: an empty or None container holds no group. */
    int has_body_groups = PyObject_IsTrue(body_groups);
    if (has_body_groups < 0) {
        return NULL;
    }
    int has_header_groups = PyObject_IsTrue(header_groups);
    if (has_header_groups < 0) {
        return NULL;
    }
    PyObject *header = PyDict_New();
    PyObject *body = PyList_New(0);
    PyObject *trailer = PyDict_New();
    PyObject *header_items = PyList_New(0);
    PyObject *trailer_items = PyList_New(0);
    PyObject *out_of_order = tag_object(0);
    PyObject *result = NULL;
    if (header == NULL || body == NULL || trailer == NULL || header_items == NULL
            || trailer_items == NULL) {
        goto done;
    }
    if (append_pair(header_items, tag_ints[8], PyList_GET_ITEM(values, 0)) < 0
            || append_pair(header_items, tag_ints[9], PyList_GET_ITEM(values, 1)) < 0
            || append_pair(header_items, tag_ints[35], PyList_GET_ITEM(values, 2)) < 0) {
        goto done;
    }
    int section = 0;  /* 0 header, 1 body, 2 trailer */
    for (Py_ssize_t index = 3; index < count - 1; index++) {
        /* Membership tests may run Python code: hold the references. */
        PyObject *tag = PyList_GET_ITEM(tags, index);
        PyObject *value = PyList_GET_ITEM(values, index);
        Py_INCREF(tag);
        Py_INCREF(value);
        int status = -1;
        int in_header = contains(header_tags, tag);
        if (in_header < 0) {
            goto field_done;
        }
        if (in_header) {
            if (section) {
                int set = PyObject_IsTrue(out_of_order);
                if (set < 0) {
                    goto field_done;
                }
                if (!set) {
                    Py_INCREF(tag);
                    Py_SETREF(out_of_order, tag);
                }
            }
            if (append_pair(header_items, tag, value) < 0) {
                goto field_done;
            }
            if (has_header_groups) {
                int group = contains(header_groups, tag);
                if (group) {
                    status = group < 0 ? -1 : 1;
                    goto field_done;
                }
            }
            if (PyDict_SetDefault(header, tag, value) == NULL) {
                goto field_done;
            }
            status = 0;
            goto field_done;
        }
        int in_trailer = contains(trailer_tags, tag);
        if (in_trailer < 0) {
            goto field_done;
        }
        if (in_trailer) {
            section = 2;
            if (append_pair(trailer_items, tag, value) < 0
                    || PyDict_SetDefault(trailer, tag, value) == NULL) {
                goto field_done;
            }
            status = 0;
            goto field_done;
        }
        if (section == 2) {
            int set = PyObject_IsTrue(out_of_order);
            if (set < 0) {
                goto field_done;
            }
            if (!set) {
                Py_INCREF(tag);
                Py_SETREF(out_of_order, tag);
            }
        }
        section = 1;
        if (has_body_groups) {
            int group = contains(body_groups, tag);
            if (group) {
                status = group < 0 ? -1 : 1;
                goto field_done;
            }
        }
        status = append_pair(body, tag, value);
field_done:
        Py_DECREF(tag);
        Py_DECREF(value);
        if (status < 0) {
            goto done;
        }
        if (status > 0) {  /* a repeating group: the Python path reads it */
            result = Py_None;
            Py_INCREF(result);
            goto done;
        }
        if (PyList_GET_SIZE(tags) != count || PyList_GET_SIZE(values) != count) {
            /* A membership test changed the lists under us: let Python decide. */
            result = Py_None;
            Py_INCREF(result);
            goto done;
        }
    }
    if (append_pair(trailer_items, tag_ints[10], PyList_GET_ITEM(values, count - 1)) < 0) {
        goto done;
    }
    result = PyTuple_Pack(6, header, body, trailer, header_items, trailer_items, out_of_order);
done:
    Py_XDECREF(header);
    Py_XDECREF(body);
    Py_XDECREF(trailer);
    Py_XDECREF(header_items);
    Py_XDECREF(trailer_items);
    Py_DECREF(out_of_order);
    return result;
}

/* ------------------------------------------------------------------------- */
/* certainly_valid                                                           */
/* ------------------------------------------------------------------------- */

/* dict.update(items): a mapping (has keys()) merges, anything else is pairs. */
static int
update_dict(PyObject *dict, PyObject *items)
{
    if (PyList_CheckExact(items)) {
        /* The usual list of (tag, value) tuples, without MergeFromSeq2's generic steps. */
        Py_ssize_t count = PyList_GET_SIZE(items);
        Py_ssize_t index = 0;
        for (; index < count; index++) {
            PyObject *item = PyList_GET_ITEM(items, index);
            if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2) {
                break;
            }
            Py_INCREF(item);  /* a key's __hash__ or __eq__ may change the list */
            int status = PyDict_SetItem(dict, PyTuple_GET_ITEM(item, 0), PyTuple_GET_ITEM(item, 1));
            Py_DECREF(item);
            if (status < 0) {
                return -1;
            }
            if (PyList_GET_SIZE(items) != count) {
                break;
            }
        }
        if (index == count) {
            return 0;
        }
        /* Something else than a pair: redo it all the generic way, errors included
           (setting the same pairs again changes nothing). */
        return PyDict_MergeFromSeq2(dict, items, 1);
    }
    if (PyTuple_CheckExact(items)) {
        return PyDict_MergeFromSeq2(dict, items, 1);
    }
    if (PyDict_CheckExact(items)) {
        return PyDict_Merge(dict, items, 1);
    }
    PyObject *keys = PyObject_GetAttr(items, str_keys);
    if (keys == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
            return -1;
        }
        PyErr_Clear();
    }
    else {
        Py_DECREF(keys);
        return PyDict_Merge(dict, items, 1);
    }
    return PyDict_MergeFromSeq2(dict, items, 1);
}

/* Every key of `dict` in `container` (as container.issuperset(dict)); -1 on error. */
static int
all_keys_in(PyObject *container, PyObject *dict)
{
    Py_ssize_t position = 0;
    PyObject *key, *value;
    while (PyDict_Next(dict, &position, &key, &value)) {
        Py_INCREF(key);
        int found = contains(container, key);
        Py_DECREF(key);
        if (found <= 0) {
            return found;
        }
    }
    return 1;
}

PyDoc_STRVAR(certainly_valid_doc,
"certainly_valid(body, header_items, trailer_items, message_fields, message_group_tags,\n"
"                known_tags, value_rules, ruled_tags, /)\n--\n\n"
"Validator._certainly_valid's verdict; a rule that raises propagates its exception.");

static PyObject *
certainly_valid(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 8) {
        PyErr_Format(PyExc_TypeError, "certainly_valid expected 8 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *body = args[0], *header = args[1], *trailer = args[2];
    PyObject *message_fields = args[3], *message_groups = args[4], *known_tags = args[5];
    PyObject *value_rules = args[6], *ruled_tags = args[7];
    PyObject *result = NULL;
    PyObject *ruled = NULL, *iterator = NULL;

    /* body_tags = dict(body) */
    PyObject *fields = PyDict_New();
    if (fields == NULL) {
        return NULL;
    }
    if (update_dict(fields, body) < 0) {
        goto done;
    }
    Py_ssize_t body_size = PyObject_Size(body);
    if (body_size < 0) {
        goto done;
    }
    if (PyDict_GET_SIZE(fields) != body_size) {
        goto invalid;
    }
    int ok = all_keys_in(message_fields, fields);
    if (ok <= 0) {
        goto invalid_or_error;
    }
    /* message_def.groups.keys().isdisjoint(body_tags) */
    Py_ssize_t position = 0;
    PyObject *key, *value;
    while (PyDict_Next(fields, &position, &key, &value)) {
        Py_INCREF(key);
        int group = contains(message_groups, key);
        Py_DECREF(key);
        if (group < 0) {
            goto done;
        }
        if (group) {
            goto invalid;
        }
    }
    if (update_dict(fields, header) < 0 || update_dict(fields, trailer) < 0) {
        goto done;
    }
    Py_ssize_t header_size = PyObject_Size(header);
    if (header_size < 0) {
        goto done;
    }
    Py_ssize_t trailer_size = PyObject_Size(trailer);
    if (trailer_size < 0) {
        goto done;
    }
    if (PyDict_GET_SIZE(fields) != header_size + trailer_size + body_size) {
        goto invalid;
    }
    ok = all_keys_in(known_tags, fields);
    if (ok <= 0) {
        goto invalid_or_error;
    }
    /* "" in fields.values() */
    PyObject *empty = PyUnicode_New(0, 0);
    if (empty == NULL) {
        goto done;
    }
    position = 0;
    while (PyDict_Next(fields, &position, &key, &value)) {
        int equal;
        if (PyUnicode_CheckExact(value)) {
            equal = PyUnicode_GET_LENGTH(value) == 0;
        }
        else {
            Py_INCREF(value);
            equal = PyObject_RichCompareBool(value, empty, Py_EQ);
            Py_DECREF(value);
        }
        if (equal) {
            Py_DECREF(empty);
            if (equal < 0) {
                goto done;
            }
            goto invalid;
        }
    }
    Py_DECREF(empty);
    /* for tag in ruled_tags.intersection(fields): the same set, so the same order */
    ruled = PyObject_CallMethodOneArg(ruled_tags, str_intersection, fields);
    if (ruled == NULL) {
        goto done;
    }
    iterator = PyObject_GetIter(ruled);
    if (iterator == NULL) {
        goto done;
    }
    PyObject *tag;
    while ((tag = PyIter_Next(iterator)) != NULL) {
        PyObject *rule = PyObject_GetItem(value_rules, tag);
        if (rule == NULL) {
            Py_DECREF(tag);
            goto done;
        }
        PyObject *text = PyDict_GetItemWithError(fields, tag);
        Py_DECREF(tag);
        if (text == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_KeyError, "tag vanished from the fields");
            }
            Py_DECREF(rule);
            goto done;
        }
        Py_INCREF(text);
        int good;
        if (PyFrozenSet_Check(rule)) {
            good = PySequence_Contains(rule, text);
        }
        else {
            PyObject *answer = PyObject_CallOneArg(rule, text);
            good = answer == NULL ? -1 : PyObject_IsTrue(answer);
            Py_XDECREF(answer);
        }
        Py_DECREF(text);
        Py_DECREF(rule);
        if (good < 0) {
            goto done;
        }
        if (!good) {
            goto invalid;
        }
    }
    if (PyErr_Occurred()) {
        goto done;
    }
    result = Py_True;
    Py_INCREF(result);
    goto done;

invalid_or_error:
    if (PyErr_Occurred()) {
        goto done;
    }
invalid:
    result = Py_False;
    Py_INCREF(result);
done:
    Py_XDECREF(iterator);
    Py_XDECREF(ruled);
    Py_DECREF(fields);
    return result;
}

/* ------------------------------------------------------------------------- */
/* encode_message                                                            */
/* ------------------------------------------------------------------------- */

/* A repeating group deeper than this goes to the Python path (which recurses too). */
#define MAX_GROUP_DEPTH 16
#define NO_POSITION (1LL << 30)   /* codec._write_group's position of a tag not in `order` */

typedef struct {
    long long key;      /* what the field is sorted by: its tag, or its dictionary position */
    Py_ssize_t order;   /* position before sorting: ties keep it (a stable sort) */
    long long tag;
    PyObject *value;    /* borrowed; no Python code runs while these are held */
} Field;

static int
compare_fields(const void *left, const void *right)
{
    const Field *a = left, *b = right;
    if (a->key != b->key) {
        return a->key < b->key ? -1 : 1;
    }
    return a->order < b->order ? -1 : (a->order > b->order);
}

/* Latin-1 bytes of a str without SOH, or NULL (size untouched) when it isn't one. */
static const char *
plain_text(PyObject *value, Py_ssize_t *size)
{
    if (!PyUnicode_CheckExact(value)) {
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(value) < 0) {
        PyErr_Clear();
        return NULL;
    }
#endif
    if (PyUnicode_KIND(value) != PyUnicode_1BYTE_KIND) {
        return NULL;  /* not latin-1: Python raises UnicodeEncodeError */
    }
    const char *text = (const char *)PyUnicode_1BYTE_DATA(value);
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    if (memchr(text, SOH, (size_t)length) != NULL) {
        return NULL;  /* Python raises EncodeError */
    }
    *size = length;
    return text;
}

/* An exact int tag fitting in long long; 0 when it is something else. */
static int
plain_tag(PyObject *tag, long long *out)
{
    if (!PyLong_CheckExact(tag)) {
        return 0;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(tag, &overflow);
    if (overflow || (value == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0;
    }
    *out = value;
    return 1;
}

/* The message's fields as they are written, grown as needed. */
typedef struct {
    char *data;
    Py_ssize_t size;
    Py_ssize_t capacity;
} Buffer;

static int
buffer_reserve(Buffer *buffer, Py_ssize_t extra)
{
    if (buffer->size + extra <= buffer->capacity) {
        return 0;
    }
    Py_ssize_t capacity = buffer->capacity ? buffer->capacity : 512;
    while (capacity < buffer->size + extra) {
        capacity *= 2;
    }
    char *data = PyMem_Realloc(buffer->data, (size_t)capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return 0;
}

/* `tag=<text><SOH>`: 0 written, -1 error. */
static int
write_text_field(Buffer *buffer, long long tag, const char *text, Py_ssize_t size)
{
    if (buffer_reserve(buffer, 1 + 20 + 1 + size + 1) < 0) {
        return -1;
    }
    char *out = buffer->data + buffer->size;
    unsigned long long magnitude = (unsigned long long)tag;
    if (tag < 0) {
        *out++ = '-';
        magnitude = 0ULL - magnitude;
    }
    out = write_unsigned(out, magnitude);
    *out++ = '=';
    memcpy(out, text, (size_t)size);
    out += size;
    *out++ = SOH;
    buffer->size = out - buffer->data;
    return 0;
}

/* Results of the writers below: written, not the simple case (Python takes it), error. */
enum { WRITTEN = 0, NOT_SIMPLE = 1, FAILED = -1 };

static PyObject *group_type;   /* gateway.fix.message.Group, from register_group() */
static PyObject *str_entries;
static PyObject *str_order;

static int put_fields(Buffer *buffer, Field *fields, Py_ssize_t count, int depth);

/* codec._write_group: `tag=<entries>`, then each entry in dictionary order. */
static int
put_group(Buffer *buffer, long long tag, PyObject *group, int depth)
{
    if (depth >= MAX_GROUP_DEPTH) {
        return NOT_SIMPLE;
    }
    int status = NOT_SIMPLE;
    Field *fields = NULL;
    PyObject *order = NULL;
    PyObject *entries = PyObject_GetAttr(group, str_entries);
    if (entries == NULL) {
        return FAILED;
    }
    order = PyObject_GetAttr(group, str_order);
    if (order == NULL) {
        status = FAILED;
        goto done;
    }
    if (!PyList_CheckExact(entries) || (order != Py_None && !PyDict_CheckExact(order))) {
        goto done;
    }
    char count[24];
    char *count_end = write_unsigned(count, (unsigned long long)PyList_GET_SIZE(entries));
    if (write_text_field(buffer, tag, count, count_end - count) < 0) {
        status = FAILED;
        goto done;
    }
    for (Py_ssize_t number = 0; number < PyList_GET_SIZE(entries); number++) {
        PyObject *entry = PyList_GET_ITEM(entries, number);
        if (!PyList_CheckExact(entry)) {
            goto done;
        }
        Py_ssize_t size = PyList_GET_SIZE(entry);
        Field *grown = PyMem_Resize(fields, Field, (size_t)(size > 0 ? size : 1));
        if (grown == NULL) {
            PyErr_NoMemory();
            status = FAILED;
            goto done;
        }
        fields = grown;
        for (Py_ssize_t index = 0; index < size; index++) {
            PyObject *item = PyList_GET_ITEM(entry, index);
            if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2
                    || !plain_tag(PyTuple_GET_ITEM(item, 0), &fields[index].tag)) {
                goto done;
            }
            fields[index].order = index;
            fields[index].value = PyTuple_GET_ITEM(item, 1);
            fields[index].key = 0;
            if (order != Py_None) {
                PyObject *position = PyDict_GetItemWithError(order, PyTuple_GET_ITEM(item, 0));
                if (position == NULL) {
                    if (PyErr_Occurred()) {
                        status = FAILED;
                        goto done;
                    }
                    fields[index].key = NO_POSITION;
                }
                else if (!plain_tag(position, &fields[index].key)) {
                    goto done;
                }
            }
        }
        if (order != Py_None) {
            qsort(fields, (size_t)size, sizeof(Field), compare_fields);
        }
        int written = put_fields(buffer, fields, size, depth + 1);
        if (written != WRITTEN) {
            status = written;
            goto done;
        }
    }
    status = WRITTEN;
done:
    PyMem_Free(fields);
    Py_XDECREF(order);
    Py_DECREF(entries);
    return status;
}

/* Each field in the given order: a str as text, a Group (exactly) as its entries. */
static int
put_fields(Buffer *buffer, Field *fields, Py_ssize_t count, int depth)
{
    for (Py_ssize_t index = 0; index < count; index++) {
        PyObject *value = fields[index].value;
        Py_ssize_t size;
        const char *text = plain_text(value, &size);
        if (text != NULL) {
            if (write_text_field(buffer, fields[index].tag, text, size) < 0) {
                return FAILED;
            }
        }
        else if (group_type != NULL && (PyObject *)Py_TYPE(value) == group_type) {
            int written = put_group(buffer, fields[index].tag, value, depth);
            if (written != WRITTEN) {
                return written;
            }
        }
        else {
            return NOT_SIMPLE;
        }
    }
    return WRITTEN;
}

/* Header (by tag), body (by tag when canonical) and the trailer's 93, 89 into `buffer`. */
static int
put_sections(Buffer *buffer, PyObject *header, PyObject *body, PyObject *trailer, int canonical)
{
    Py_ssize_t header_count = PyDict_GET_SIZE(header);
    Py_ssize_t body_count = PyList_GET_SIZE(body);
    Field *fields = PyMem_New(Field, (size_t)(header_count + body_count + 2));
    if (fields == NULL) {
        PyErr_NoMemory();
        return FAILED;
    }
    int status = NOT_SIMPLE;
    Py_ssize_t used = 0;
    Py_ssize_t position = 0;
    PyObject *key, *value;
    while (PyDict_Next(header, &position, &key, &value)) {
        if (used >= header_count || !plain_tag(key, &fields[used].tag)) {
            goto done;
        }
        fields[used].key = fields[used].tag;
        fields[used].order = used;
        fields[used].value = value;
        used++;
    }
    if (used != header_count) {
        goto done;
    }
    qsort(fields, (size_t)header_count, sizeof(Field), compare_fields);
    for (Py_ssize_t index = 0; index < body_count; index++) {
        PyObject *item = PyList_GET_ITEM(body, index);
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2
                || !plain_tag(PyTuple_GET_ITEM(item, 0), &fields[used].tag)) {
            goto done;
        }
        fields[used].key = fields[used].tag;
        fields[used].order = index;
        fields[used].value = PyTuple_GET_ITEM(item, 1);
        used++;
    }
    if (canonical) {
        qsort(fields + header_count, (size_t)body_count, sizeof(Field), compare_fields);
    }
    if (PyDict_GET_SIZE(trailer)) {
        static const long trailer_order[2] = {93, 89};
        for (int which = 0; which < 2; which++) {
            PyObject *text = PyDict_GetItemWithError(trailer, tag_ints[trailer_order[which]]);
            if (text == NULL) {
                if (PyErr_Occurred()) {
                    status = FAILED;
                    goto done;
                }
                continue;
            }
            if (!PyUnicode_CheckExact(text)) {
                goto done;  /* Python formats it with an f-string */
            }
            fields[used].key = fields[used].tag = trailer_order[which];
            fields[used].order = used;
            fields[used].value = text;
            used++;
        }
    }
    status = put_fields(buffer, fields, used, 0);
done:
    PyMem_Free(fields);
    return status;
}

PyDoc_STRVAR(encode_message_doc,
"encode_message(msg_type, header, body, trailer, begin_string, canonical, /)\n--\n\n"
"codec.encode's bytes for a message whose values are str (latin-1, no SOH) or Groups\n"
"of such, else None (the Python path formats other values, or raises).");

static PyObject *
encode_message(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 6) {
        PyErr_Format(PyExc_TypeError, "encode_message expected 6 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *msg_type = args[0], *header = args[1], *body = args[2];
    PyObject *trailer = args[3], *begin_string = args[4];
    int canonical = PyObject_IsTrue(args[5]);
    if (canonical < 0) {
        return NULL;
    }
    if (!PyDict_CheckExact(header) || !PyList_CheckExact(body) || !PyDict_CheckExact(trailer)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t msg_type_size, begin_size;
    const char *msg_type_text = plain_text(msg_type, &msg_type_size);
    const char *begin_text = plain_text(begin_string, &begin_size);
    if (msg_type_text == NULL || begin_text == NULL) {
        Py_RETURN_NONE;
    }
    Buffer fields = {NULL, 0, 0};
    PyObject *result = NULL;
    if (write_text_field(&fields, 35, msg_type_text, msg_type_size) < 0) {
        goto done;
    }
    int status = put_sections(&fields, header, body, trailer, canonical);
    if (status != WRITTEN) {
        if (status == NOT_SIMPLE) {
            result = Py_None;
            Py_INCREF(result);
        }
        goto done;
    }
    /* 8=<begin><SOH>9=<length><SOH> + fields + 10=<sum><SOH>; the begin string goes
       out as is, as in Python. */
    Py_ssize_t head_size = 2 + begin_size + 1 + 2 + digit_count((unsigned long long)fields.size) + 1;
    result = PyBytes_FromStringAndSize(NULL, head_size + fields.size + 7);
    if (result == NULL) {
        goto done;
    }
    char *start = PyBytes_AS_STRING(result);
    char *out = start;
    memcpy(out, "8=", 2);
    out += 2;
    memcpy(out, begin_text, (size_t)begin_size);
    out += begin_size;
    memcpy(out, "\x01" "9=", 3);
    out += 3;
    out = write_unsigned(out, (unsigned long long)fields.size);
    *out++ = SOH;
    memcpy(out, fields.data, (size_t)fields.size);
    out += fields.size;
    unsigned int sum = 0;
    for (const unsigned char *byte = (const unsigned char *)start;
         byte < (const unsigned char *)out; byte++) {
        sum += *byte;
    }
    sum &= 0xFF;
    out[0] = '1';
    out[1] = '0';
    out[2] = '=';
    out[3] = (char)('0' + sum / 100);
    out[4] = (char)('0' + sum / 10 % 10);
    out[5] = (char)('0' + sum % 10);
    out[6] = SOH;
done:
    PyMem_Free(fields.data);
    return result;
}

PyDoc_STRVAR(register_group_doc,
"register_group(group_type, /)\n--\n\n"
"The Group class whose instances encode_message writes as repeating groups.");

static PyObject *
register_group(PyObject *module, PyObject *type)
{
    (void)module;
    if (!PyType_Check(type)) {
        PyErr_SetString(PyExc_TypeError, "register_group expects a class");
        return NULL;
    }
    Py_INCREF(type);
    Py_XSETREF(group_type, type);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"split_fields", (PyCFunction)split_fields, METH_O, split_fields_doc},
    {"build_flat", (PyCFunction)(void (*)(void))build_flat, METH_FASTCALL, build_flat_doc},
    {"certainly_valid", (PyCFunction)(void (*)(void))certainly_valid, METH_FASTCALL,
     certainly_valid_doc},
    {"encode_message", (PyCFunction)(void (*)(void))encode_message, METH_FASTCALL,
     encode_message_doc},
    {"register_group", (PyCFunction)register_group, METH_O, register_group_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    "gateway.fix._speedups",
    "C versions of the FIX codec and validation hot path (the Python code is the reference).",
    -1,
    methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (tag_ints[0] == NULL) {
        for (long tag = 0; tag < TAG_CACHE; tag++) {
            tag_ints[tag] = PyLong_FromLong(tag);
            if (tag_ints[tag] == NULL) {
                return NULL;
            }
        }
    }
    if (str_intersection == NULL) {
        str_intersection = PyUnicode_InternFromString("intersection");
        if (str_intersection == NULL) {
            return NULL;
        }
    }
    if (str_keys == NULL) {
        str_keys = PyUnicode_InternFromString("keys");
        if (str_keys == NULL) {
            return NULL;
        }
    }
    if (str_entries == NULL) {
        str_entries = PyUnicode_InternFromString("entries");
        str_order = PyUnicode_InternFromString("order");
        if (str_entries == NULL || str_order == NULL) {
            return NULL;
        }
    }
    return PyModule_Create(&speedups_module);
}
