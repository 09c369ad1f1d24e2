/* test-feed-decoder: the streaming decoder of changes-feed pages (zh-feed-decoder.c) refuses every
 * page that breaks the contract of docs/api.md with the tree decoder's message, tells text that is
 * not JSON (SERVER) from JSON that breaks the contract (PROTOCOL) wherever in the text it is, and
 * decodes the same page whatever the chunks the text arrives in. */
#define G_LOG_DOMAIN "test-feed-decoder"

#include "config.h"

#include <string.h>

#include "zh-client.h"
#include "zh-feed-decoder-private.h"

#define ID1 "0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11"
#define ID2 "1b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11"
#define SCHOOL "2b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11"

#define SUBJECT_ROW(id, rev) \
  "{\"id\": \"" id "\", \"rev\": " #rev ", \"school_id\": \"" SCHOOL "\", \"name\": \"Математика\", " \
  "\"short_name\": \"М\"}"
#define SUBJECT(id, rev) \
  "{\"rev\": " #rev ", \"entity\": \"subject\", \"id\": \"" id "\", \"deleted\": false, \"value\": " \
  SUBJECT_ROW (id, rev) "}"
#define TOMB(id, rev) "{\"rev\": " #rev ", \"entity\": \"mark\", \"id\": \"" id "\", \"deleted\": true}"
#define PAGE(changes, next, more) "{\"changes\": [" changes "], \"next\": " #next ", \"more\": " #more "}"

/* A page of every kind of field: flags (staff roles), a JSON object (the school's policy), a null
 * enum (an enrollment going on), times, reals, a row that names its entity after its value, a
 * tombstone, and members the client does not know at the page's and the change's level. */
static const char good_page[] =
  "{\"server_time\": {\"nested\": [1, {\"deep\": null}]}, \"changes\": ["
  "{\"rev\": 3, \"entity\": \"school\", \"id\": \"" SCHOOL "\", \"deleted\": false, \"value\": "
  "{\"id\": \"" SCHOOL "\", \"name\": \"Лицей №7\", \"full_name\": \"МОАУ «Лицей №7»\", "
  "\"address\": \"\", \"director\": \"\", \"policy\": {\"min_marks\": 3, \"scale\": [\"5\", \"4\"], "
  "\"w\": 1.5, \"t\": \"a\\\"b\\u0001\"}, \"rev\": 3}},"
  "{\"rev\": 4, \"entity\": \"staff\", \"id\": \"" ID1 "\", \"deleted\": false, \"hint\": [1, 2], "
  "\"value\": {\"id\": \"" ID1 "\", \"school_id\": \"" SCHOOL "\", \"last_name\": \"Иванова\", "
  "\"first_name\": \"Анна\", \"middle_name\": \"Петровна\", \"roles\": [\"teacher\", \"deputy\"], "
  "\"position\": \"\", \"login\": null, \"active\": true, \"rev\": 4}},"
  "{\"value\": {\"id\": \"" ID2 "\", \"lesson_id\": \"" ID1 "\", \"student_id\": \"" SCHOOL "\", "
  "\"value\": \"5\", \"work_type\": \"answer\", \"weight\": 2, \"part\": 0, \"comment\": \"\\u00ebx\", "
  "\"state\": \"active\", \"entered_by\": null, \"entered_at\": \"2026-11-23T09:15:00Z\", "
  "\"received_at\": \"2026-11-23T12:15:01+03:00\", \"rev\": 7}, "
  "\"rev\": 7, \"entity\": \"mark\", \"id\": \"" ID2 "\", \"deleted\": false},"
  "{\"rev\": 8, \"entity\": \"enrollment\", \"id\": \"" ID2 "\", \"deleted\": false, \"value\": "
  "{\"id\": \"" ID2 "\", \"student_id\": \"" ID1 "\", \"class_id\": \"" SCHOOL "\", "
  "\"date_from\": \"2026-09-01\", \"date_to\": null, \"reason\": \"arrival\", "
  "\"end_reason\": null, \"rev\": 8}},"
  TOMB (ID1, 9)
  "], \"next\": 9, \"more\": true}";

static ZhChangesPage *
decode_in_chunks (const char  *text,
                  gsize        length,
                  gsize        chunk,
                  gint64       since,
                  guint        limit,
                  GError     **error)
{
  g_autoptr(ZhFeedDecoder) decoder = _zh_feed_decoder_new (since, limit);

  for (gsize at = 0; at < length; at += chunk)
    if (!_zh_feed_decoder_feed (decoder, (const guint8 *) text + at, MIN (chunk, length - at), error))
      return NULL;
  return _zh_feed_decoder_finish (decoder, error);
}

static ZhChangesPage *
decode (const char  *text,
        GError     **error)
{
  return decode_in_chunks (text, strlen (text), strlen (text) + 1, 0, 100, error);
}

/* @text is refused with @code and a message holding @detail; fed byte by byte, alike. */
static void
expect_refusal (const char *text,
                int         code,
                const char *detail)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) bytewise_error = NULL;
  g_autoptr(ZhChangesPage) page = decode (text, &error);
  g_autoptr(ZhChangesPage) bytewise = decode_in_chunks (text, strlen (text), 1, 0, 100, &bytewise_error);

  if (page != NULL)
    g_error ("accepted: %s", text);
  g_assert_error (error, ZH_CLIENT_ERROR, code);
  if (detail != NULL && strstr (error->message, detail) == NULL)
    g_error ("“%s” does not say “%s” (page %s)", error->message, detail, text);
  g_assert_null (bytewise);
  g_assert_error (bytewise_error, ZH_CLIENT_ERROR, code);
  if (code == ZH_CLIENT_ERROR_PROTOCOL)
    g_assert_cmpstr (bytewise_error->message, ==, error->message);
}

static void
check_good_page (ZhChangesPage *page)
{
  ZhSchool *school;
  ZhStaff *staff;
  ZhMark *mark;
  ZhEnrollment *enrollment;
  ZhChange *change;

  g_assert_nonnull (page);
  g_assert_cmpuint (page->changes->len, ==, 5);
  g_assert_cmpint (page->next, ==, 9);
  g_assert_true (page->more);

  change = page->changes->pdata[0];
  school = change->value;
  g_assert_true (change->info == &zh_school_info);
  g_assert_cmpstr (school->name, ==, "Лицей №7");
  /* The policy is kept as json-glib writes it, as the tree decoder kept it. */
  g_assert_cmpstr (school->policy, ==,
                   "{\"min_marks\":3,\"scale\":[\"5\",\"4\"],\"w\":1.5,\"t\":\"a\\\"b\\u0001\"}");

  change = page->changes->pdata[1];
  staff = change->value;
  g_assert_cmpuint (staff->roles, ==, ZH_ROLE_TEACHER | ZH_ROLE_DEPUTY);
  g_assert_null (staff->login);
  g_assert_true (staff->active);

  change = page->changes->pdata[2];
  mark = change->value;
  g_assert_true (change->info == &zh_mark_info);
  g_assert_cmpint (change->rev, ==, 7);
  g_assert_cmpstr (mark->comment, ==, "ëx");
  g_assert_cmpfloat (mark->weight, ==, 2.0);
  g_assert_cmpint (mark->received_at, ==, mark->entered_at + 1);

  change = page->changes->pdata[3];
  enrollment = change->value;
  g_assert_null (enrollment->date_to);
  g_assert_cmpint (enrollment->end_reason, ==, ZH_END_REASON_NONE);

  change = page->changes->pdata[4];
  g_assert_true (change->deleted);
  g_assert_null (change->value);
  g_assert_cmpstr (change->id, ==, ID1);
}

/* A page that follows the contract is decoded whole, whatever the chunks it arrives in: a member,
 * a string or a number split between two reads is read as one. */
static void
test_good_page_any_chunks (void)
{
  gsize length = strlen (good_page);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhChangesPage) whole = decode (good_page, &error);

  g_assert_no_error (error);
  check_good_page (whole);
  for (gsize chunk = 1; chunk < 64; chunk++)
    {
      g_autoptr(ZhChangesPage) page = decode_in_chunks (good_page, length, chunk, 0, 100, &error);

      g_assert_no_error (error);
      check_good_page (page);
      for (guint i = 0; i < page->changes->len; i++)
        {
          ZhChange *a = whole->changes->pdata[i];
          ZhChange *b = page->changes->pdata[i];

          g_assert_true (a->info == b->info);
          g_assert_true (a->deleted || zh_entity_equal (a->info, a->value, b->value));
        }
    }
}

/* Each check of the page's contract, with the detail the client quotes (docs/api.md). */
static void
test_contract (void)
{
  static const struct
  {
    const char *text;
    const char *detail;
  } cases[] = {
    { "[]", "not an object" },
    { "\"page\"", "not an object" },
    { "{\"next\": 0, \"more\": false}", "“changes” is missing" },
    { "{\"changes\": {}, \"next\": 0, \"more\": false}", "“changes” is missing or not an array" },
    { "{\"changes\": [], \"next\": \"0\", \"more\": false}", "“next”" },
    { "{\"changes\": [], \"next\": 0.5, \"more\": false}", "“next”" },
    { "{\"changes\": [], \"next\": 99999999999999999999, \"more\": false}", "“next”" },
    { "{\"changes\": [], \"more\": false}", "“next”" },
    { "{\"changes\": [], \"next\": 0, \"more\": 1}", "“more”" },
    { PAGE (, 7, false), "cursor" },
    { PAGE (, 0, true), "empty page" },
    { PAGE (TOMB (ID1, 1) "," TOMB (ID2, 2), 2, false) "x", NULL },
    { "{\"changes\": [], \"next\": 0, \"more\": false, \"changes\": []}", "“changes” is given more than once" },
    { PAGE ("5", 0, false), "change 0 is not an object" },
    { PAGE (TOMB (ID1, 1) ", null", 1, false), "change 1 is not an object" },
    { PAGE ("{\"entity\": \"mark\", \"id\": \"" ID1 "\", \"deleted\": true}", 1, false), "change 0 has no rev" },
    { PAGE ("{\"rev\": \"1\", \"entity\": \"mark\", \"id\": \"" ID1 "\", \"deleted\": true}", 1, false), "change 0 has no rev" },
    { PAGE (TOMB (ID1, 2) "," TOMB (ID2, 2), 2, false), "change 1 has no rev, or one not after" },
    { PAGE ("{\"rev\": 1, \"entity\": \"pupil\", \"id\": \"" ID1 "\", \"deleted\": true}", 1, false), "change 0 names no known entity" },
    { PAGE ("{\"rev\": 1, \"entity\": [\"mark\"], \"id\": \"" ID1 "\", \"deleted\": true}", 1, false), "change 0 names no known entity" },
    { PAGE ("{\"rev\": 1, \"entity\": \"mark\\u0000\", \"id\": \"" ID1 "\", \"deleted\": true}", 1, false), "change 0 names no known entity" },
    { PAGE ("{\"rev\": 1, \"entity\": \"mark\", \"id\": \"not-a-uuid\", \"deleted\": true}", 1, false), "change 0 has no valid id" },
    { PAGE ("{\"rev\": 1, \"entity\": \"mark\", \"deleted\": true}", 1, false), "change 0 has no valid id" },
    { PAGE ("{\"rev\": 1, \"entity\": \"mark\", \"id\": \"" ID1 "\"}", 1, false), "change 0 does not say whether" },
    { PAGE ("{\"rev\": 1, \"entity\": \"mark\", \"id\": \"" ID1 "\", \"deleted\": 0}", 1, false), "change 0 does not say whether" },
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": true, \"value\": "
            SUBJECT_ROW (ID1, 1) "}", 1, false), "change 0 is a deletion but carries a row" },
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false}", 1, false), "change 0 carries no row" },
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": null}", 1, false),
      "change 0: The value of subject is not a JSON object" },
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": [1]}", 1, false),
      "change 0: The value of subject is not a JSON object" },
    { PAGE (SUBJECT (ID1, 1) ", {\"rev\": 2, \"entity\": \"subject\", \"id\": \"" ID2 "\", \"deleted\": false, "
            "\"value\": " SUBJECT_ROW (ID1, 2) "}", 2, false), "change 1: the row’s id or rev differs" },
    { PAGE ("{\"rev\": 2, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            SUBJECT_ROW (ID1, 1) "}", 2, false), "change 0: the row’s id or rev differs" },
    { PAGE ("{\"rev\": 1, \"rev\": 1, \"entity\": \"mark\", \"id\": \"" ID1 "\", \"deleted\": true}", 1, false),
      "change 0 has the member “rev” more than once" },
    /* The row's own checks, named by the change. */
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            "{\"id\": \"" ID1 "\", \"rev\": 1, \"school_id\": \"" SCHOOL "\", \"name\": 5, \"short_name\": \"М\"}}", 1, false),
      "change 0: Field “name” of subject: expected a string" },
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            "{\"id\": \"" ID1 "\", \"rev\": 1, \"school_id\": \"" SCHOOL "\", \"short_name\": \"М\"}}", 1, false),
      "change 0: Field “name” of subject: a value is required" },
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            "{\"id\": \"" ID1 "\", \"rev\": 1, \"school_id\": \"" SCHOOL "\", \"name\": \"М\", \"name\": \"М\", "
            "\"short_name\": \"М\"}}", 1, false),
      "change 0: Field “name” of subject: the member is given more than once" },
    /* Members the entity does not have come first, then fields in table order, as before. */
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            "{\"id\": \"" ID1 "\", \"rev\": 1, \"school_id\": 7, \"name\": 5, \"short_name\": \"М\", \"x\": 1}}", 1, false),
      "change 0: Field “x” of subject: there is no such field" },
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            "{\"short_name\": 1, \"name\": 5, \"id\": \"" ID1 "\", \"rev\": 1, \"school_id\": \"" SCHOOL "\"}}", 1, false),
      "change 0: Field “name” of subject: expected a string" },
    { PAGE ("{\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            "{\"id\": \"" ID1 "\", \"rev\": 1, \"school_id\": \"" SCHOOL "\", \"name\": \"a\\u0000b\", \"short_name\": \"М\"}}", 1, false),
      "change 0: Field “name” of subject: the text contains a NUL character" },
    { PAGE ("{\"value\": {\"id\": \"" ID1 "\", \"rev\": 1, \"school_id\": \"" SCHOOL "\", \"name\": \"М\", \"short_name\": []}, "
            "\"rev\": 1, \"entity\": \"subject\", \"id\": \"" ID1 "\", \"deleted\": false}", 1, false),
      "change 0: Field “short_name” of subject: expected a string" },
    { PAGE ("{\"rev\": 1, \"entity\": \"staff\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            "{\"id\": \"" ID1 "\", \"school_id\": \"" SCHOOL "\", \"last_name\": \"И\", \"first_name\": \"А\", "
            "\"roles\": [\"teacher\", \"janitor\"], \"rev\": 1}}", 1, false),
      "change 0: Field “roles” of staff: “janitor” is not one of" },
    { PAGE ("{\"rev\": 1, \"entity\": \"staff\", \"id\": \"" ID1 "\", \"deleted\": false, \"value\": "
            "{\"id\": \"" ID1 "\", \"school_id\": \"" SCHOOL "\", \"last_name\": \"И\", \"first_name\": \"А\", "
            "\"roles\": [[\"teacher\"]], \"rev\": 1}}", 1, false),
      "change 0: Field “roles” of staff: expected an array of strings" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      if (cases[i].detail == NULL)
        expect_refusal (cases[i].text, ZH_CLIENT_ERROR_SERVER, NULL);
      else
        expect_refusal (cases[i].text, ZH_CLIENT_ERROR_PROTOCOL, cases[i].detail);
    }
}

/* A page of more changes than asked for is refused, and its rows are not kept meanwhile. */
static void
test_limit (void)
{
  g_autoptr(GError) error = NULL;
  const char *text = PAGE (TOMB (ID1, 1) "," TOMB (ID2, 2) "," TOMB (ID1, 3), 3, false);
  g_autoptr(ZhChangesPage) page = decode_in_chunks (text, strlen (text), 7, 0, 2, &error);

  g_assert_null (page);
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "more than the 2 changes"));
  g_clear_error (&error);

  /* The first rev must come after the page's `since`. */
  page = decode_in_chunks (text, strlen (text), 7, 1, 10, &error);
  g_assert_null (page);
  g_assert_nonnull (strstr (error->message, "change 0 has no rev, or one not after"));
}

/* Text that is not JSON is the service being unavailable (SERVER) wherever it is, even after JSON
 * that breaks the contract, as when the whole body was checked before parsing. */
static void
test_not_json (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"changes\": [], \"next\": 0, \"more\": false, \"x\": ");
  g_autoptr(GString) deepest = NULL;
  g_autoptr(ZhChangesPage) page = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const texts[] = {
    "",
    "   ",
    "{\"changes\": [{\"rev\": 1, \"entity\": \"sch",
    "{\"changes\": [], \"next\": 0, \"more\": false, \"x\": \"\xff\xfe\"}",
    "{\"changes\": [], \"next\": 0, \"more\": false, \"\xc0\x80\": 1}",         /* overlong NUL */
    "{\"changes\": [], \"next\": 0, \"more\": false, \"x\": \"\xed\xa0\x80\"}", /* a surrogate */
    "{\"changes\": [], \"next\": 0, \"more\": false, \"x\": \"\\udc00\"}",
    "{\"changes\": [], \"next\": 0, \"more\": false} {}",
    "{\"changes\": [], \"next\": 0, \"more\": false, /* note */ \"x\": 1}",
    "{\"changes\": [], \"next\": 01, \"more\": false}",
    "{'changes': [], 'next': 0, 'more': false}",
    /* A protocol error first, then text that is not JSON. */
    "[1, 2, ",
    "{\"changes\": [5], \"next\": 0, \"more\": false, \"x\": tru}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    expect_refusal (texts[i], ZH_CLIENT_ERROR_SERVER, NULL);

  /* Nesting: ZH_CLIENT_MAX_DEPTH levels are read, one more is refused. */
  for (guint i = 1; i < ZH_CLIENT_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  deepest = g_string_new (deep->str);
  g_string_append_c (deepest, '[');
  for (guint i = 1; i < ZH_CLIENT_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  page = decode (deep->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);
  for (guint i = 0; i < ZH_CLIENT_MAX_DEPTH; i++)
    g_string_append_c (deepest, ']');
  g_string_append_c (deepest, '}');
  expect_refusal (deepest->str, ZH_CLIENT_ERROR_SERVER, NULL);
}

/* The peek at a page's header: `next` and `more` before `changes`, as the service writes them,
 * found from the bytes up to `changes` and no earlier; any other start is left to the decoder. */
static ZhFeedHeader
peek (const char *text,
      gsize       length,
      gint64     *next,
      gboolean   *more)
{
  return _zh_feed_peek_header ((const guint8 *) text, length, next, more);
}

static void
test_peek_header (void)
{
  static const char first[] = "{\"next\": 9120, \"more\": true, \"changes\": [" TOMB (ID1, 9120) "]}";
  static const char * const absent[] = {
    PAGE ("", 0, false),                                      /* changes first: the old order */
    "{\"more\": true, \"changes\": []}",                   /* no next before changes */
    "{\"next\": 5, \"changes\": [], \"more\": false}",     /* no more before changes */
    "{\"next\": \"5\", \"more\": true, \"changes\": []}",  /* next not a number */
    "{\"next\": -5, \"more\": true, \"changes\": []}",
    "{\"next\": 5.5, \"more\": true, \"changes\": []}",
    "{\"next\": 5, \"more\": 1, \"changes\": []}",
    "{\"next\": 5, \"more\": true, \"x\": {\"changes\": 1}, \"changes\": []}",
    "{\"next\": 5, \"more\": true}",                       /* no changes at all */
    "[{\"next\": 5, \"more\": true, \"changes\": []}]",
    "<html>",
  };
  const char *changes = strstr (first, "\"changes\"");
  gint64 next = 0;
  gboolean more = FALSE;

  g_assert_cmpint (peek (first, strlen (first), &next, &more), ==, ZH_FEED_HEADER_FOUND);
  g_assert_cmpint (next, ==, 9120);
  g_assert_true (more);
  g_assert_cmpint (peek ("{\"next\":0,\"more\":false,\"changes\":[]}", 37, &next, &more), ==,
                   ZH_FEED_HEADER_FOUND);
  g_assert_cmpint (next, ==, 0);
  g_assert_false (more);

  /* Cut anywhere before the member `changes` ends, the bytes do not tell yet. */
  for (gsize n = 0; n < (gsize) (changes - first) + strlen ("\"changes\""); n++)
    g_assert_cmpint (peek (first, n, &next, &more), ==, ZH_FEED_HEADER_NEED_MORE);
  g_assert_cmpint (peek (first, changes - first + strlen ("\"changes\"") + 1, &next, &more), ==,
                   ZH_FEED_HEADER_FOUND);

  for (guint i = 0; i < G_N_ELEMENTS (absent); i++)
    {
      g_test_message ("%s", absent[i]);
      g_assert_cmpint (peek (absent[i], strlen (absent[i]), &next, &more), !=, ZH_FEED_HEADER_FOUND);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/feed-decoder/good-page/any-chunks", test_good_page_any_chunks);
  g_test_add_func ("/feed-decoder/contract", test_contract);
  g_test_add_func ("/feed-decoder/limit-and-since", test_limit);
  g_test_add_func ("/feed-decoder/not-json", test_not_json);
  g_test_add_func ("/feed-decoder/peek-header", test_peek_header);
  return g_test_run ();
}
