/* zh-json-writer.c: JSON written straight into a GString (see zh-json-writer.h). */
#define G_LOG_DOMAIN "zh-json"

#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "zh-json-writer.h"

struct _ZhJsonWriter
{
  GString *out;
  guint    depth;
  gboolean after_key;
  gboolean done;                                  /* a whole top-level value was written */
  guint8   has_members[ZH_JSON_WRITER_MAX_DEPTH]; /* per open container: a member was written */
  guint8   is_object[ZH_JSON_WRITER_MAX_DEPTH];
};

/* zh_json_writer_new: (transfer full): a writer appending to @out, which the caller keeps. */
ZhJsonWriter *
zh_json_writer_new (GString *out)
{
  ZhJsonWriter *self;

  g_return_val_if_fail (out != NULL, NULL);

  self = g_new0 (ZhJsonWriter, 1);
  self->out = out;
  return self;
}

/* zh_json_writer_free: free the writer; its GString stays with the caller. */
void
zh_json_writer_free (ZhJsonWriter *self)
{
  g_free (self);
}

/* zh_json_writer_get_string: (transfer none): the string the writer appends to. */
GString *
zh_json_writer_get_string (ZhJsonWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->out;
}

/* zh_json_writer_is_complete: whether one whole value has been written and every container closed. */
gboolean
zh_json_writer_is_complete (ZhJsonWriter *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->done && self->depth == 0;
}

/* Write what must come before a value: a comma between members, nothing after a key. */
static void
before_value (ZhJsonWriter *self)
{
  if (self->after_key)
    {
      self->after_key = FALSE;
      return;
    }
  if (self->depth == 0)
    {
      g_assert (!self->done);
      return;
    }
  /* A value directly inside an object needs a key first. */
  g_assert (!self->is_object[self->depth - 1]);
  if (self->has_members[self->depth - 1])
    g_string_append_c (self->out, ',');
  self->has_members[self->depth - 1] = TRUE;
}

static void
after_value (ZhJsonWriter *self)
{
  if (self->depth == 0)
    self->done = TRUE;
}

/* g_string_append_len without its checks while @out has room: a journal page appends some ten
 * thousand pieces, most of a few bytes. */
static inline void
append_len (GString    *out,
            const char *data,
            gsize       length)
{
  if (out->len + length < out->allocated_len)
    {
      memcpy (out->str + out->len, data, length);
      out->len += length;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, data, length);
}

/* zh_json_append_escaped: append @value as a JSON string literal, quotes included. Control
 * characters, quotes and backslashes are escaped; valid UTF-8 passes through as it is; each byte
 * of an invalid sequence becomes U+FFFD, so the output is always valid JSON. */
void
zh_json_append_escaped (GString    *out,
                        const char *value,
                        gssize      length)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *p = (const guchar *) value;
  const guchar *end;
  const guchar *run;

  if (length < 0)
    length = strlen (value);
  end = p + length;
  run = p;

  g_string_append_c (out, '"');
  while (p < end)
    {
      guchar c = *p;

      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
        {
          p++;
          continue;
        }

      /* Two-byte sequences (Cyrillic) inline: most names and topics are made of them. */
      if (c >= 0xc2 && c <= 0xdf && p + 1 < end && (p[1] & 0xc0) == 0x80)
        {
          p += 2;
          continue;
        }
      if (c >= 0x80)
        {
          gunichar ch = g_utf8_get_char_validated ((const char *) p, end - p);

          if (ch != (gunichar) -1 && ch != (gunichar) -2)
            {
              p += g_utf8_skip[c];
              continue;
            }
          append_len (out, (const char *) run, p - run);
          append_len (out, "\xef\xbf\xbd", 3);   /* U+FFFD REPLACEMENT CHARACTER */
          p++;
          run = p;
          continue;
        }

      append_len (out, (const char *) run, p - run);
      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
          break;
        }
      p++;
      run = p;
    }
  append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
}

/* zh_json_append_time: append @seconds since the epoch as "2026-11-23T09:15:00Z", quotes included. */
void
zh_json_append_time (GString *out,
                     gint64   seconds)
{
  char text[32];
  gint64 days, secs, z, era, doe, yoe, y, doy, mp, d, m;
  int n;

  /* Days since the epoch to the civil date (H. Hinnant's days_from_civil, inverted): plain
   * arithmetic, with no time zone lock or printf, since a journal page writes hundreds of times. */
  days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  secs = seconds - days * 86400;
  z = days + 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y < 0 || y > 9999)
    {
      g_string_append (out, "null");
      return;
    }
  n = 0;
  text[n++] = '"';
  text[n++] = '0' + (char) (y / 1000);
  text[n++] = '0' + (char) (y / 100 % 10);
  text[n++] = '0' + (char) (y / 10 % 10);
  text[n++] = '0' + (char) (y % 10);
  text[n++] = '-';
  text[n++] = '0' + (char) (m / 10);
  text[n++] = '0' + (char) (m % 10);
  text[n++] = '-';
  text[n++] = '0' + (char) (d / 10);
  text[n++] = '0' + (char) (d % 10);
  text[n++] = 'T';
  text[n++] = '0' + (char) (secs / 36000);
  text[n++] = '0' + (char) (secs / 3600 % 10);
  text[n++] = ':';
  text[n++] = '0' + (char) (secs % 3600 / 600);
  text[n++] = '0' + (char) (secs % 3600 / 60 % 10);
  text[n++] = ':';
  text[n++] = '0' + (char) (secs % 60 / 10);
  text[n++] = '0' + (char) (secs % 10);
  text[n++] = 'Z';
  text[n++] = '"';
  append_len (out, text, n);
}

/* Append @value in decimal, without printf. */
static void
append_int (GString *out,
            gint64   value)
{
  char text[24];
  int n = sizeof text;
  guint64 v = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  do
    {
      text[--n] = '0' + (char) (v % 10);
      v /= 10;
    }
  while (v != 0);
  if (value < 0)
    text[--n] = '-';
  append_len (out, text + n, sizeof text - n);
}

/* Append @value as a number that reads back as exactly @value, in as few digits as that takes
 * (0.1, not 0.10000000000000001); JSON has no infinity or NaN, so those append null. */
static void
append_double (GString *out,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      append_len (out, "null", 4);
      return;
    }
  /* Whole numbers (most weights and hours) are written as integers, as %.15g would. */
  if (value == (double) (gint64) value && fabs (value) < 1e15 && !(value == 0 && signbit (value)))
    {
      append_int (out, (gint64) value);
      return;
    }
  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  g_string_append (out, buffer);
}

/* zh_json_writer_begin_object: open an object as the next value. */
void
zh_json_writer_begin_object (ZhJsonWriter *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->depth < ZH_JSON_WRITER_MAX_DEPTH);

  before_value (self);
  g_string_append_c (self->out, '{');
  self->has_members[self->depth] = FALSE;
  self->is_object[self->depth] = TRUE;
  self->depth++;
}

/* zh_json_writer_end_object: close the innermost object. */
void
zh_json_writer_end_object (ZhJsonWriter *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->depth > 0 && self->is_object[self->depth - 1] && !self->after_key);

  self->depth--;
  g_string_append_c (self->out, '}');
  after_value (self);
}

/* zh_json_writer_begin_array: open an array as the next value. */
void
zh_json_writer_begin_array (ZhJsonWriter *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->depth < ZH_JSON_WRITER_MAX_DEPTH);

  before_value (self);
  g_string_append_c (self->out, '[');
  self->has_members[self->depth] = FALSE;
  self->is_object[self->depth] = FALSE;
  self->depth++;
}

/* zh_json_writer_end_array: close the innermost array. */
void
zh_json_writer_end_array (ZhJsonWriter *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->depth > 0 && !self->is_object[self->depth - 1]);

  self->depth--;
  g_string_append_c (self->out, ']');
  after_value (self);
}

/* zh_json_writer_key: write the name of the next member of the innermost object. */
void
zh_json_writer_key (ZhJsonWriter *self,
                    const char   *key)
{
  zh_json_writer_key_len (self, key, -1);
}

/* zh_json_writer_key_len: write the name of the next member of an object, @length bytes of @key
 * (-1: up to its NUL), escaped as any string. */
void
zh_json_writer_key_len (ZhJsonWriter *self,
                        const char   *key,
                        gssize        length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (self->depth > 0 && self->is_object[self->depth - 1] && !self->after_key);

  if (self->has_members[self->depth - 1])
    g_string_append_c (self->out, ',');
  self->has_members[self->depth - 1] = TRUE;
  zh_json_append_escaped (self->out, key, length);
  g_string_append_c (self->out, ':');
  self->after_key = TRUE;
}

/* zh_json_writer_string: write a string value; NULL writes null. */
void
zh_json_writer_string (ZhJsonWriter *self,
                       const char   *value)
{
  zh_json_writer_string_len (self, value, -1);
}

/* zh_json_writer_string_len: write @length bytes of @value (-1: up to its NUL) as a string. */
void
zh_json_writer_string_len (ZhJsonWriter *self,
                           const char   *value,
                           gssize        length)
{
  g_return_if_fail (self != NULL);

  if (value == NULL)
    {
      zh_json_writer_null (self);
      return;
    }
  before_value (self);
  zh_json_append_escaped (self->out, value, length);
  after_value (self);
}

/* zh_json_writer_int: write an integer. */
void
zh_json_writer_int (ZhJsonWriter *self,
                    gint64        value)
{
  g_return_if_fail (self != NULL);

  before_value (self);
  append_int (self->out, value);
  after_value (self);
}

/* zh_json_writer_double: write a number that reads back as exactly @value, in as few digits as
 * that takes (0.1, not 0.10000000000000001); JSON has no infinity or NaN, so those write null. */
void
zh_json_writer_double (ZhJsonWriter *self,
                       double        value)
{
  g_return_if_fail (self != NULL);

  before_value (self);
  append_double (self->out, value);
  after_value (self);
}

/* zh_json_writer_bool: write true or false. */
void
zh_json_writer_bool (ZhJsonWriter *self,
                     gboolean      value)
{
  g_return_if_fail (self != NULL);

  before_value (self);
  g_string_append (self->out, value ? "true" : "false");
  after_value (self);
}

/* zh_json_writer_null: write null. */
void
zh_json_writer_null (ZhJsonWriter *self)
{
  g_return_if_fail (self != NULL);

  before_value (self);
  g_string_append (self->out, "null");
  after_value (self);
}

/* zh_json_writer_time: write @seconds since the epoch as an ISO 8601 UTC string. */
void
zh_json_writer_time (ZhJsonWriter *self,
                     gint64        seconds)
{
  g_return_if_fail (self != NULL);

  before_value (self);
  zh_json_append_time (self->out, seconds);
  after_value (self);
}

/* zh_json_writer_raw: write @json, which must be one valid JSON value, as it is. */
void
zh_json_writer_raw (ZhJsonWriter *self,
                    const char   *json)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (json != NULL);

  before_value (self);
  g_string_append (self->out, json);
  after_value (self);
}

/* Append a set of flags as the array of their nicks, lowest bit first. */
static void
append_flags (GString *out,
              GType    flags_type,
              guint64  bits)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (flags_type);
  gboolean first = TRUE;

  g_string_append_c (out, '[');
  for (guint bit = 0; bit < 32; bit++)
    {
      guint mask = 1u << bit;
      GFlagsValue *value;

      if ((bits & mask) == 0)
        continue;
      value = g_flags_get_first_value (klass, mask);
      if (value != NULL && value->value == mask)
        {
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          zh_json_append_escaped (out, value->value_nick, -1);
        }
    }
  g_string_append_c (out, ']');
}

/* zh_json_writer_add_row: write the row @stmt stands on as the JSON object of the entity @info;
 * its columns from @first_column on are the entity's fields in order (zh_json_entity_columns).
 * The format is the model codecs': members named after the fields, times as ISO 8601 UTC, flags
 * as arrays of nicks, the JSON field embedded, null for an empty nullable field. */
void
zh_json_writer_add_row (ZhJsonWriter       *self,
                        const ZhEntityInfo *info,
                        sqlite3_stmt       *stmt,
                        int                 first_column)
{
  GString *out;

  g_return_if_fail (self != NULL);
  g_return_if_fail (info != NULL);
  g_return_if_fail (stmt != NULL);
  g_return_if_fail (first_column >= 0 &&
                    first_column + (int) info->n_fields <= sqlite3_column_count (stmt));

  /* The object is written whole, straight into the string: the writer's state only matters
   * around it. A journal page writes some 250 rows of a dozen fields each. */
  before_value (self);
  out = self->out;
  g_string_append_c (out, '{');
  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];
      int column = first_column + (int) i;
      gboolean nullable = (field->flags & ZH_FIELD_NULLABLE) != 0;

      /* Field names are C identifiers (zh-entities.c): nothing to escape. */
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '"');
      append_len (out, field->name, strlen (field->name));
      append_len (out, "\":", 2);
      switch (field->type)
        {
        case ZH_FIELD_UUID:
        case ZH_FIELD_STRING:
        case ZH_FIELD_DATE:
        case ZH_FIELD_ENUM:
          {
            /* NULL only for an SQL NULL (or no memory to convert a number into text). */
            const char *text = (const char *) sqlite3_column_text (stmt, column);

            if (text != NULL)
              zh_json_append_escaped (out, text, sqlite3_column_bytes (stmt, column));
            else if (nullable)
              append_len (out, "null", 4);
            else
              append_len (out, "\"\"", 2);
          }
          break;

        case ZH_FIELD_TIME:
          if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
            append_len (out, "null", 4);
          else
            zh_json_append_time (out, sqlite3_column_int64 (stmt, column));
          break;

        case ZH_FIELD_INT:
          if (nullable && sqlite3_column_type (stmt, column) == SQLITE_NULL)
            append_len (out, "null", 4);
          else
            append_int (out, sqlite3_column_int64 (stmt, column));
          break;

        case ZH_FIELD_REAL:
          if (nullable && sqlite3_column_type (stmt, column) == SQLITE_NULL)
            append_len (out, "null", 4);
          else
            append_double (out, sqlite3_column_double (stmt, column));
          break;

        case ZH_FIELD_BOOL:
          if (sqlite3_column_int64 (stmt, column) != 0)
            append_len (out, "true", 4);
          else
            append_len (out, "false", 5);
          break;

        case ZH_FIELD_FLAGS:
          append_flags (out, field->enum_type (), (guint64) sqlite3_column_int64 (stmt, column));
          break;

        case ZH_FIELD_JSON:
          /* Only the service stores this column, after parsing it, so it is valid JSON. */
          if (sqlite3_column_type (stmt, column) == SQLITE_NULL || sqlite3_column_bytes (stmt, column) == 0)
            {
              if (nullable)
                append_len (out, "null", 4);
              else
                append_len (out, "{}", 2);
            }
          else
            {
              const char *json = (const char *) sqlite3_column_text (stmt, column);

              append_len (out, json, sqlite3_column_bytes (stmt, column));
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
  g_string_append_c (out, '}');
  after_value (self);
}

/* zh_json_entity_columns: (transfer full): the SQL column list of @info's fields in order,
 * each prefixed with @table_alias and a dot unless it is NULL: `t."id", t."rev", …`. */
char *
zh_json_entity_columns (const ZhEntityInfo *info,
                        const char         *table_alias)
{
  GString *sql;

  g_return_val_if_fail (info != NULL, NULL);

  sql = g_string_new (NULL);
  for (guint i = 0; i < info->n_fields; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      if (table_alias != NULL)
        g_string_append_printf (sql, "%s.", table_alias);
      g_string_append_printf (sql, "\"%s\"", info->fields[i].name);
    }
  return g_string_free (sql, FALSE);
}
