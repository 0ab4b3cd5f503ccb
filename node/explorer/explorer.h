// The members' explorer (docs/explorer.md): the pages arteld serves on its
// --ui listener beside the API. The pages are one application in the
// browser that reads the same /v1 API as every other client (and signs a
// member's reads with the key the member loads); the node adds only what
// a browser cannot do alone: the page's HTTP status for an unknown
// cooperative, member or version, and the guarantor network's drawing,
// laid out by Graphviz.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "node/http_server.h"

namespace artel::node::explorer {

struct Options {
  // Debian's node-tweetnacl, whose browser build signs reads in the page.
  // Empty: /usr/share/nodejs/tweetnacl/nacl-fast.min.js.
  std::string tweetnacl;
};

// The pages, for HttpOptions::site. Throws std::runtime_error when the
// embedded assets are missing (a broken build).
Site make_site(const Options& options = {});

// A network graph as /v1/networks/N/graph answers it, drawn as SVG by
// Graphviz's dot layout: a box per participant (the centre filled), an
// arrow from each guarantor to the participant it vouches for; each box
// links to the participant's page. nullopt with `why` when Graphviz fails.
std::optional<std::string> network_svg(const nlohmann::json& graph, std::string& why);

}  // namespace artel::node::explorer
