namespace Kvasir.Storage.Backend;

/// <summary>
/// The on-disk schema of the MVCC backend, versioned. The SQLite header's <c>application_id</c> marks a
/// Kvasir backend and its <c>user_version</c> holds <see cref="Version"/>; a file with another version is
/// refused with a clear error rather than guessed at. Mvcc/README.md describes the tables.
/// </summary>
public static class BackendSchema
{
    /// <summary>"KVSR" in ASCII: the SQLite application id of a Kvasir MVCC backend.</summary>
    public const int ApplicationId = 0x4B565352;

    /// <summary>The schema version this build reads and writes.</summary>
    public const int Version = 1;

    /// <summary>The bucket name reserved for the store's own metadata (etcd's "meta" bucket).</summary>
    public const string MetaBucket = "meta";

    /// <summary>The name under which the key table is hashed, as etcd's bucket of revisions ("key").</summary>
    public const string KeyBucket = "key";

    internal const string CreateSql =
        "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;" +
        "CREATE TABLE IF NOT EXISTS bucket (b TEXT NOT NULL, k BLOB NOT NULL, v BLOB, PRIMARY KEY (b, k)) WITHOUT ROWID;";

    /// <summary>
    /// Checks that an opened file is a Kvasir backend of a version this build reads, initialising an empty
    /// file. Throws <see cref="BackendException"/> naming the file and the version otherwise.
    /// </summary>
    internal static void CheckOrInitialize(SqliteDb db)
    {
        var appId = db.QueryInt64("PRAGMA application_id");
        var version = db.QueryInt64("PRAGMA user_version");
        var tables = db.QueryInt64("SELECT count(*) FROM sqlite_master");
        if (appId == 0 && version == 0 && tables == 0)
        {
            db.Exec("BEGIN IMMEDIATE");
            db.Exec(CreateSql);
            db.Exec($"PRAGMA application_id = {ApplicationId}");
            db.Exec($"PRAGMA user_version = {Version}");
            db.Exec("COMMIT");
            return;
        }

        if (appId != ApplicationId)
        {
            throw new BackendException($"{db.Path} is not a Kvasir MVCC backend (SQLite application id 0x{appId:x8}, expected 0x{ApplicationId:x8})");
        }

        if (version != Version)
        {
            throw new BackendException($"{db.Path} has MVCC backend schema version {version}; this Kvasir reads version {Version} only");
        }
    }
}
