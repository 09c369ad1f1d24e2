/* zh-entity-sql.h: entity structs to SQLite rows and back, driven by the field tables.
 *
 * The columns of an entity's table are its fields, in the order of its field table (which is the
 * order of data/schema/schema.sql). Values are stored as the schema's conventions say: enums as
 * their nicks, flags as an integer bit set, booleans as 0/1, unset nullable fields as NULL (an
 * end_reason of NONE too), JSON objects as text, times as seconds since the epoch.
 */
#pragma once

#include <sqlite3.h>

#include "zh-model.h"
#include "zh-store.h"

G_BEGIN_DECLS

char     *zh_entity_sql_select   (const ZhEntityInfo *info);
gpointer  zh_entity_from_stmt    (const ZhEntityInfo *info,
                                  sqlite3_stmt       *stmt,
                                  int                 first_column,
                                  GError            **error);
void      zh_entity_bind         (const ZhEntityInfo *info,
                                  gconstpointer       entity,
                                  sqlite3_stmt       *stmt,
                                  int                 first_param);
void      zh_entity_bind_static  (const ZhEntityInfo *info,
                                  gconstpointer       entity,
                                  sqlite3_stmt       *stmt,
                                  int                 first_param);
const char *zh_entity_sql_upsert (const ZhEntityInfo *info);

gboolean  zh_store_put_entity    (ZhStore            *store,
                                  const ZhEntityInfo *info,
                                  gconstpointer       entity,
                                  GError            **error);
gpointer  zh_store_get_entity    (ZhStore            *store,
                                  const ZhEntityInfo *info,
                                  const char         *id,
                                  GError            **error);
gboolean  zh_store_delete_entity (ZhStore            *store,
                                  const ZhEntityInfo *info,
                                  const char         *id,
                                  GError            **error);

G_END_DECLS
