using System.Text.Json.Serialization;

namespace PoeSharp.Filters.Tests.Json;

[JsonSerializable(typeof(Point))]
internal sealed partial class PointJsonContext : JsonSerializerContext;
