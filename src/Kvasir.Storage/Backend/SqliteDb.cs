using SQLitePCL;

namespace Kvasir.Storage.Backend;

/// <summary>
/// One SQLite connection and its prepared statements. Not thread-safe: exactly one thread uses it at a
/// time (the writer under the batch lock, or a reader that rented it from the pool).
/// </summary>
internal sealed class SqliteDb : IDisposable
{
    private static int _initialized;
    private readonly Dictionary<string, SqliteStatement> _statements = new(StringComparer.Ordinal);
    private sqlite3? _handle;

    private SqliteDb(sqlite3 handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    public sqlite3 Handle => _handle ?? throw new ObjectDisposedException(nameof(SqliteDb));

    /// <summary>Opens (or with <paramref name="create"/>, creates) the database file.</summary>
    public static SqliteDb Open(string path, bool create, bool readOnly = false)
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 0)
        {
            Batteries_V2.Init();
        }

        var flags = raw.SQLITE_OPEN_NOMUTEX | (readOnly ? raw.SQLITE_OPEN_READONLY : raw.SQLITE_OPEN_READWRITE);
        if (create)
        {
            flags |= raw.SQLITE_OPEN_CREATE;
        }

        var rc = raw.sqlite3_open_v2(path, out var handle, flags, null);
        if (rc != raw.SQLITE_OK)
        {
            var message = handle is null ? "out of memory" : raw.sqlite3_errmsg(handle).utf8_to_string();
            handle?.Dispose();
            throw new BackendException($"cannot open backend {path}: {message} ({rc})");
        }

        var db = new SqliteDb(handle, path);
        // Another connection may hold the write lock for a moment (a checkpoint); wait rather than fail.
        raw.sqlite3_busy_timeout(handle, 10_000);
        return db;
    }

    /// <summary>A statement prepared once per connection and reused.</summary>
    public SqliteStatement Prepare(string sql)
    {
        if (!_statements.TryGetValue(sql, out var stmt))
        {
            stmt = new SqliteStatement(this, sql);
            _statements.Add(sql, stmt);
        }

        return stmt;
    }

    /// <summary>Runs SQL text that returns no rows (schema, pragmas, BEGIN/COMMIT).</summary>
    public void Exec(string sql)
    {
        var rc = raw.sqlite3_exec(Handle, sql, out var error);
        if (rc != raw.SQLITE_OK)
        {
            throw new BackendException($"sqlite failed ({rc}): {error ?? raw.sqlite3_errmsg(Handle).utf8_to_string()}; statement: {sql}");
        }
    }

    /// <summary>Runs a query that returns one integer (a pragma).</summary>
    public long QueryInt64(string sql)
    {
        var stmt = Prepare(sql);
        try
        {
            return stmt.Step() ? stmt.ColumnInt64(0) : 0;
        }
        finally
        {
            stmt.Reset();
        }
    }

    public void Check(int rc, string what)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new BackendException($"sqlite failed ({rc}): {raw.sqlite3_errmsg(Handle).utf8_to_string()}; statement: {what}");
        }
    }

    public void Dispose()
    {
        foreach (var stmt in _statements.Values)
        {
            stmt.Dispose();
        }

        _statements.Clear();
        if (_handle is not null)
        {
            raw.sqlite3_close_v2(_handle);
            _handle.Dispose();
            _handle = null;
        }
    }
}
