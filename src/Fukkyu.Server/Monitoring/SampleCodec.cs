namespace Fukkyu.Server.Monitoring;

public readonly record struct Sample(DateTime At, bool Up, int LatencyMs, ProbeFailure Failure);

/// <summary>
/// Raw samples of one minute packed into a few bytes each: milliseconds into the minute
/// (2 bytes), up and the failure reason (1 byte), latency in ms (varint). A monitor at a
/// 5 s interval costs about 50 bytes a minute, so keeping every sample for a day stays small.
/// </summary>
public static class SampleCodec
{
    public static void Append(List<byte> buffer, DateTime minute, DateTime at, bool up, double latencyMs, ProbeFailure failure)
    {
        var offset = (ushort)Math.Clamp((at - minute).TotalMilliseconds, 0, 59_999);
        buffer.Add((byte)offset);
        buffer.Add((byte)(offset >> 8));
        buffer.Add((byte)((up ? 0x80 : 0) | ((byte)failure & 0x7F)));
        var v = (uint)Math.Clamp(Math.Round(latencyMs), 0, int.MaxValue);
        while (v >= 0x80)
        {
            buffer.Add((byte)(v | 0x80));
            v >>= 7;
        }
        buffer.Add((byte)v);
    }

    public static IEnumerable<Sample> Decode(DateTime minute, byte[]? data)
    {
        if (data is null)
        {
            yield break;
        }
        var i = 0;
        while (i + 2 < data.Length)
        {
            var offset = data[i] | (data[i + 1] << 8);
            var flags = data[i + 2];
            i += 3;
            uint latency = 0;
            var shift = 0;
            while (i < data.Length)
            {
                var b = data[i++];
                latency |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
                shift += 7;
                if (shift > 28)
                {
                    yield break; // corrupt: stop rather than invent samples
                }
            }
            yield return new Sample(minute.AddMilliseconds(offset), (flags & 0x80) != 0, (int)Math.Min(latency, int.MaxValue), (ProbeFailure)(flags & 0x7F));
        }
    }
}
