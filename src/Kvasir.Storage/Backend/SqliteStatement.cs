using SQLitePCL;

namespace Kvasir.Storage.Backend;

/// <summary>
/// One prepared SQLite statement, owned by the connection that prepared it and used by one thread at a
/// time (its connection's owner). Bind, step, read columns, then <see cref="Reset"/> before the next use.
/// Spans returned by the column readers stay valid only until the next step or reset.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteDb _db;
    private readonly sqlite3_stmt _stmt;

    public SqliteStatement(SqliteDb db, string sql)
    {
        _db = db;
        Sql = sql;
        var rc = raw.sqlite3_prepare_v2(db.Handle, sql, out _stmt);
        db.Check(rc, sql);
    }

    public string Sql { get; }

    public void Bind(int index, ReadOnlySpan<byte> blob)
    {
        // A zero-length span has no address; SQLite would store NULL. Bind an explicit empty blob instead.
        var rc = blob.IsEmpty ? raw.sqlite3_bind_zeroblob(_stmt, index, 0) : raw.sqlite3_bind_blob(_stmt, index, blob);
        _db.Check(rc, Sql);
    }

    public void Bind(int index, long value) => _db.Check(raw.sqlite3_bind_int64(_stmt, index, value), Sql);

    public void Bind(int index, string value) => _db.Check(raw.sqlite3_bind_text(_stmt, index, value), Sql);

    /// <summary>Steps once: true when a row is available, false when the statement is done.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }

        // The error is read before the reset clears it.
        var message = raw.sqlite3_errmsg(_db.Handle).utf8_to_string();
        raw.sqlite3_reset(_stmt);
        throw new BackendException($"sqlite step failed ({rc}): {message}; statement: {Sql}");
    }

    /// <summary>Runs a statement that returns no rows, then resets it.</summary>
    public void Execute()
    {
        try
        {
            while (Step())
            {
            }
        }
        finally
        {
            Reset();
        }
    }

    public ReadOnlySpan<byte> ColumnBlob(int index) => raw.sqlite3_column_blob(_stmt, index);

    public long ColumnInt64(int index) => raw.sqlite3_column_int64(_stmt, index);

    public string? ColumnText(int index) => raw.sqlite3_column_text(_stmt, index).utf8_to_string();

    public void Reset()
    {
        raw.sqlite3_reset(_stmt);
        raw.sqlite3_clear_bindings(_stmt);
    }

    public void Dispose() => raw.sqlite3_finalize(_stmt);
}
