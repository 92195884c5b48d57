using System.Text.Json.Serialization;

namespace PoeSharp.Filters.Tests.JsonFilters;

[JsonSerializable(typeof(Point))]
internal sealed partial class PointJsonContext : JsonSerializerContext;
