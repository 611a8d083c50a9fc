namespace Kvasir.Testing;

/// <summary>Waits for a condition by polling, always with a bound. Tests never sleep to wait.</summary>
public static class Poll
{
    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> until it holds or
    /// <paramref name="bound"/> passes; then throws a <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what, TimeSpan? interval = null)
    {
        var step = interval ?? TimeSpan.FromMilliseconds(50);
        var deadline = DateTime.UtcNow + bound;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e)
            {
                last = e;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"timed out after {bound.TotalSeconds:0.#}s waiting for {what}", last);
            }

            await Task.Delay(step).ConfigureAwait(false);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan bound, string what, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), bound, what, interval);
}
