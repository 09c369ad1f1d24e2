/* zh-json-writer.h: JSON written straight into a GString, without building a tree.
 *
 * The service answers large pages (a journal page is ~900 rows); building a JsonNode tree and
 * generating text from it cost as much as the SQL itself, so answers are written here member by
 * member. zh_json_writer_add_row writes one SQLite row of an entity table in exactly the format of
 * the model's JSON codecs (zh-model.h), so a row read from the service's database and a row
 * encoded from a struct are the same text.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "zh-model.h"

G_BEGIN_DECLS

typedef struct _ZhJsonWriter ZhJsonWriter;

/* The deepest nesting a writer supports; deeper is a programming error. */
#define ZH_JSON_WRITER_MAX_DEPTH 64

ZhJsonWriter *zh_json_writer_new          (GString             *out);
void          zh_json_writer_free         (ZhJsonWriter        *self);
GString      *zh_json_writer_get_string   (ZhJsonWriter        *self);
gboolean      zh_json_writer_is_complete  (ZhJsonWriter        *self);

void          zh_json_writer_begin_object (ZhJsonWriter        *self);
void          zh_json_writer_end_object   (ZhJsonWriter        *self);
void          zh_json_writer_begin_array  (ZhJsonWriter        *self);
void          zh_json_writer_end_array    (ZhJsonWriter        *self);
void          zh_json_writer_key          (ZhJsonWriter        *self,
                                           const char          *key);
void          zh_json_writer_key_len      (ZhJsonWriter        *self,
                                           const char          *key,
                                           gssize               length);

void          zh_json_writer_string       (ZhJsonWriter        *self,
                                           const char          *value);
void          zh_json_writer_string_len   (ZhJsonWriter        *self,
                                           const char          *value,
                                           gssize               length);
void          zh_json_writer_int          (ZhJsonWriter        *self,
                                           gint64               value);
void          zh_json_writer_double       (ZhJsonWriter        *self,
                                           double               value);
void          zh_json_writer_bool         (ZhJsonWriter        *self,
                                           gboolean             value);
void          zh_json_writer_null         (ZhJsonWriter        *self);
void          zh_json_writer_time         (ZhJsonWriter        *self,
                                           gint64               seconds);
void          zh_json_writer_raw          (ZhJsonWriter        *self,
                                           const char          *json);

void          zh_json_writer_add_row      (ZhJsonWriter        *self,
                                           const ZhEntityInfo  *info,
                                           sqlite3_stmt        *stmt,
                                           int                  first_column);

/* Helpers shared with the service: the column list of an entity in field order, and the text of
 * a time as the API writes it. */
char         *zh_json_entity_columns      (const ZhEntityInfo  *info,
                                           const char          *table_alias);
void          zh_json_append_time         (GString             *out,
                                           gint64               seconds);
void          zh_json_append_escaped      (GString             *out,
                                           const char          *value,
                                           gssize               length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhJsonWriter, zh_json_writer_free)

G_END_DECLS
