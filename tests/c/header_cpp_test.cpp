// header_cpp_test.cpp - proves depthwise_interop.h compiles as C++ (extern "C", no C-only constructs) and links:
//
//   g++ -std=c++17 -Wall -Wextra -Werror -pedantic header_cpp_test.cpp $(pkg-config --cflags --libs depthwise_interop)
//
// Prints one line per check and ends with "N passed, N failed"; exits 1 if any check failed.
#include "depthwise_interop.h" // first: the header must be self-contained

#include <cstdio>
#include <cstring>
#include <type_traits>

static_assert(std::is_standard_layout<di_conv_params>::value, "di_conv_params is a C struct");
static_assert(std::is_trivially_copyable<di_conv_params>::value, "di_conv_params is a C struct");
static_assert(DI_ABI_VERSION >= 1, "DI_ABI_VERSION is an integer constant expression");

namespace {

int g_passed = 0;
int g_failed = 0;

void check(bool ok, const char* name)
{
    (ok ? g_passed : g_failed)++;
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", name);
}

} // namespace

int main()
{
    // Function pointers with the exact declared C++ types: the declarations are usable from C++ as written.
    uint32_t (*abi)() = &di_abi_version;
    di_status (*init)(di_conv_params*) = &di_conv_params_init;

    check(abi() == DI_ABI_VERSION, "di_abi_version() == DI_ABI_VERSION from C++");

    const char* version = di_version_string();
    check(version != nullptr && version[0] != '\0', "di_version_string() is non-empty from C++");

    di_conv_params params;
    std::memset(&params, 0xAB, sizeof params);
    di_status status = init(&params);
    check(status == DI_STATUS_OK, "di_conv_params_init returns DI_STATUS_OK from C++");

    bool ok = params.struct_size == sizeof(di_conv_params) && params.data_format == DI_DATA_FORMAT_NHWC
              && params.padding == DI_PADDING_VALID && params.reserved == 0;
    for (int i = 0; i < 4; i++) ok = ok && params.strides[i] == 1 && params.dilations[i] == 1;
    for (int i = 0; i < 8; i++) ok = ok && params.explicit_paddings[i] == 0;
    check(ok, "di_conv_params_init fills the defaults from C++");

    check(di_conv_params_init(nullptr) == DI_STATUS_INVALID_ARGUMENT, "di_conv_params_init(nullptr) is rejected from C++");

    const char* name = di_status_string(DI_STATUS_INVALID_DTYPE);
    check(name != nullptr && std::strcmp(name, "DI_STATUS_INVALID_DTYPE") == 0, "di_status_string from C++");

    std::printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
