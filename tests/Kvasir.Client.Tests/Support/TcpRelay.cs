using System.Net;
using System.Net.Sockets;

namespace Kvasir.Client.Tests.Support;

/// <summary>
/// A loopback TCP relay in front of a server, so a test can cut the client off: <see cref="Pause"/>
/// drops every relayed connection and refuses new ones until <see cref="Resume"/> (same port).
/// <see cref="Accepted"/> counts the connections made through it.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly Lock _gate = new();
    private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task? _accepting;
    private int _accepted;

    private TcpRelay(int targetPort, int port)
    {
        _targetPort = targetPort;
        Port = port;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c> of the relay.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public int Accepted => Volatile.Read(ref _accepted);

    public static TcpRelay Start(int targetPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        var relay = new TcpRelay(targetPort, ((IPEndPoint)listener.LocalEndpoint).Port);
        relay.Listen(listener);
        return relay;
    }

    /// <summary>Drops every relayed connection (both sides) and stops listening: connects are refused.</summary>
    public void Pause()
    {
        TcpListener? listener;
        lock (_gate)
        {
            listener = _listener;
            _listener = null;
        }

        listener?.Stop();
        DropAll();
    }

    /// <summary>Listens again on the same port.</summary>
    public void Resume()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Listen(listener);
    }

    /// <summary>Drops every relayed connection but keeps listening: clients reconnect at once.</summary>
    public void DropAll()
    {
        List<(TcpClient Client, TcpClient Server)> pairs;
        lock (_gate)
        {
            pairs = [.. _pairs];
            _pairs.Clear();
        }

        foreach (var (client, server) in pairs)
        {
            try
            {
                // An abortive close (RST), as when a host or a middlebox drops the connection.
                client.Client?.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            client.Dispose();
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Pause();
        if (_accepting is not null)
        {
            try
            {
                await _accepting;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private void Listen(TcpListener listener)
    {
        lock (_gate)
        {
            _listener = listener;
        }

        _accepting = AcceptAsync(listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            client.NoDelay = true;
            server.NoDelay = true;
            lock (_gate)
            {
                _pairs.Add((client, server));
            }

            Interlocked.Increment(ref _accepted);
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var source = from.GetStream();
            var sink = to.GetStream();
            while (true)
            {
                var read = await source.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                await sink.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }

        from.Dispose();
        to.Dispose();
    }
}
