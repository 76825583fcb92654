#include "block/block_meta.h"

#include <limits>

#include "nlohmann/json.hpp"

namespace strata {
namespace {

using Json = nlohmann::ordered_json;

Json DescToJson(const BlockDesc& d) {
  Json j = Json::object();
  j["ulid"] = d.ulid.ToString();
  j["minTime"] = d.min_time;
  j["maxTime"] = d.max_time;
  return j;
}

// Field readers: a missing optional field leaves *out unchanged; a present
// field of the wrong type is an error.
Status GetInt64(const Json& obj, const char* key, bool required, int64_t* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    return required ? Status::InvalidArgument(std::string("missing ") + key)
                    : Status::OK();
  }
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    *out = it->get<int64_t>();
    return Status::OK();
  }
  if (it->is_number_unsigned()) {
    const uint64_t u = it->get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      *out = static_cast<int64_t>(u);
      return Status::OK();
    }
  }
  return Status::InvalidArgument(std::string(key) + " is not an int64");
}

Status GetUint64(const Json& obj, const char* key, uint64_t* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::OK();
  if (it->is_number_unsigned()) {
    *out = it->get<uint64_t>();
    return Status::OK();
  }
  return Status::InvalidArgument(std::string(key) + " is not a uint64");
}

Status GetBool(const Json& obj, const char* key, bool* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::OK();
  if (!it->is_boolean()) {
    return Status::InvalidArgument(std::string(key) + " is not a boolean");
  }
  *out = it->get<bool>();
  return Status::OK();
}

Status ParseUlid(const Json& j, const char* what, Ulid* out) {
  if (!j.is_string()) {
    return Status::InvalidArgument(std::string(what) + " is not a string");
  }
  StatusOr<Ulid> u = Ulid::Parse(j.get_ref<const std::string&>());
  if (!u.ok()) return u.status().WithContext(what);
  *out = *u;
  return Status::OK();
}

Status ParseDesc(const Json& j, BlockDesc* d) {
  if (!j.is_object()) return Status::InvalidArgument("parent is not an object");
  auto u = j.find("ulid");
  if (u == j.end()) return Status::InvalidArgument("parent without ulid");
  STRATA_RETURN_IF_ERROR(ParseUlid(*u, "parent ulid", &d->ulid));
  STRATA_RETURN_IF_ERROR(GetInt64(j, "minTime", true, &d->min_time));
  STRATA_RETURN_IF_ERROR(GetInt64(j, "maxTime", true, &d->max_time));
  return Status::OK();
}

Status ParseCompaction(const Json& j, BlockCompaction* c) {
  if (!j.is_object()) {
    return Status::InvalidArgument("compaction is not an object");
  }
  int64_t level = 0;
  STRATA_RETURN_IF_ERROR(GetInt64(j, "level", false, &level));
  if (level < 0 || level > std::numeric_limits<int>::max()) {
    return Status::InvalidArgument("compaction level out of range");
  }
  c->level = static_cast<int>(level);
  if (auto it = j.find("sources"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("sources not a list");
    for (const Json& s : *it) {
      Ulid u;
      STRATA_RETURN_IF_ERROR(ParseUlid(s, "source", &u));
      c->sources.push_back(u);
    }
  }
  if (auto it = j.find("parents"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("parents not a list");
    for (const Json& p : *it) {
      BlockDesc d;
      STRATA_RETURN_IF_ERROR(ParseDesc(p, &d));
      c->parents.push_back(d);
    }
  }
  if (auto it = j.find("hints"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("hints not a list");
    for (const Json& h : *it) {
      if (!h.is_string()) return Status::InvalidArgument("hint not a string");
      c->hints.push_back(h.get<std::string>());
    }
  }
  STRATA_RETURN_IF_ERROR(GetBool(j, "deletable", &c->deletable));
  STRATA_RETURN_IF_ERROR(GetBool(j, "failed", &c->failed));
  return Status::OK();
}

}  // namespace

std::string BlockMeta::ToJson() const {
  Json j = Json::object();
  j["ulid"] = ulid.ToString();
  j["minTime"] = min_time;
  j["maxTime"] = max_time;
  Json s = Json::object();
  if (stats.num_samples != 0) s["numSamples"] = stats.num_samples;
  if (stats.num_series != 0) s["numSeries"] = stats.num_series;
  if (stats.num_chunks != 0) s["numChunks"] = stats.num_chunks;
  if (stats.num_tombstones != 0) s["numTombstones"] = stats.num_tombstones;
  j["stats"] = std::move(s);
  Json c = Json::object();
  c["level"] = compaction.level;
  if (!compaction.sources.empty()) {
    Json arr = Json::array();
    for (const Ulid& u : compaction.sources) arr.push_back(u.ToString());
    c["sources"] = std::move(arr);
  }
  if (compaction.deletable) c["deletable"] = true;
  if (!compaction.parents.empty()) {
    Json arr = Json::array();
    for (const BlockDesc& d : compaction.parents) arr.push_back(DescToJson(d));
    c["parents"] = std::move(arr);
  }
  if (compaction.failed) c["failed"] = true;
  if (!compaction.hints.empty()) c["hints"] = compaction.hints;
  j["compaction"] = std::move(c);
  j["version"] = version;
  return j.dump(1, '\t');
}

StatusOr<BlockMeta> BlockMeta::FromJson(std::string_view text) {
  const Json j = Json::parse(text.begin(), text.end(), nullptr,
                             /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("malformed JSON");
  if (!j.is_object()) return Status::InvalidArgument("not a JSON object");
  BlockMeta m;
  int64_t version = 0;
  STRATA_RETURN_IF_ERROR(GetInt64(j, "version", true, &version));
  if (version != kBlockMetaVersion1) {
    return Status::InvalidArgument("unexpected meta file version " +
                                   std::to_string(version));
  }
  m.version = static_cast<int>(version);
  auto u = j.find("ulid");
  if (u == j.end()) return Status::InvalidArgument("missing ulid");
  STRATA_RETURN_IF_ERROR(ParseUlid(*u, "ulid", &m.ulid));
  STRATA_RETURN_IF_ERROR(GetInt64(j, "minTime", true, &m.min_time));
  STRATA_RETURN_IF_ERROR(GetInt64(j, "maxTime", true, &m.max_time));
  if (auto it = j.find("stats"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Status::InvalidArgument("stats not an object");
    STRATA_RETURN_IF_ERROR(GetUint64(*it, "numSamples", &m.stats.num_samples));
    STRATA_RETURN_IF_ERROR(GetUint64(*it, "numSeries", &m.stats.num_series));
    STRATA_RETURN_IF_ERROR(GetUint64(*it, "numChunks", &m.stats.num_chunks));
    STRATA_RETURN_IF_ERROR(
        GetUint64(*it, "numTombstones", &m.stats.num_tombstones));
  }
  m.compaction.level = 0;
  if (auto it = j.find("compaction"); it != j.end() && !it->is_null()) {
    STRATA_RETURN_IF_ERROR(ParseCompaction(*it, &m.compaction));
  }
  return m;
}

StatusOr<BlockMeta> ReadBlockMeta(FileSystem* fs, const std::string& dir) {
  const std::string path = JoinPath(dir, kMetaFileName);
  STRATA_ASSIGN_OR_RETURN(std::string text, fs->ReadFile(path));
  StatusOr<BlockMeta> meta = BlockMeta::FromJson(text);
  if (!meta.ok()) {
    return Status::Corruption(path + ": " +
                              std::string(meta.status().message()));
  }
  return meta;
}

StatusOr<int64_t> WriteBlockMeta(FileSystem* fs, const std::string& dir,
                                 const BlockMeta& meta) {
  const std::string text = meta.ToJson();
  STRATA_RETURN_IF_ERROR(
      WriteFileAtomically(fs, JoinPath(dir, kMetaFileName), text));
  return static_cast<int64_t>(text.size());
}

}  // namespace strata
