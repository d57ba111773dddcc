"""A small ctypes binding of ONNX Runtime's C API, enough to run a bundle's graphs on CPU.

The Python package of ONNX Runtime is not available here (no PyPI), but the official native
library is: the C# engine's NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux (which also runs on
the CPU) lands in the NuGet cache on restore, and this module loads that very file
(EMI_ORT_LIBRARY overrides it). Running the exported graphs on the engine the platform serves
them with is what makes the parity tests and `evaluate` mean something.

OrtApi is a table of function pointers that only ever grows at its end, so the slot numbers below
hold for every version from the one they were introduced in onwards.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]


def _nuget_library() -> Path:
    """libonnxruntime.so of the Gpu.Linux version Directory.Packages.props pins, in the NuGet cache."""
    props = (REPO_ROOT / "Directory.Packages.props").read_text()
    marker = 'Include="Microsoft.ML.OnnxRuntime.Gpu.Linux" Version="'
    version = props.split(marker, 1)[1].split('"', 1)[0]
    cache = Path(os.environ.get("NUGET_PACKAGES") or Path.home() / ".nuget" / "packages")
    return cache / "microsoft.ml.onnxruntime.gpu.linux" / version / "runtimes" / "linux-x64" / "native" / "libonnxruntime.so"


DEFAULT_LIBRARY = _nuget_library()
API_VERSION = 17  # the oldest API version that has everything used here; 1.31 serves 1..31

_p = ctypes.c_void_p
_pp = ctypes.POINTER(ctypes.c_void_p)
_status = ctypes.c_void_p

# slot: (restype, argtypes)
_SLOTS = {
    "GetErrorMessage": (2, ctypes.c_char_p, [_p]),
    "CreateEnv": (3, _status, [ctypes.c_int, ctypes.c_char_p, _pp]),
    "CreateSession": (7, _status, [_p, ctypes.c_char_p, _p, _pp]),
    "Run": (9, _status, [_p, _p, ctypes.POINTER(ctypes.c_char_p), _pp, ctypes.c_size_t,
                         ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, _pp]),
    "CreateSessionOptions": (10, _status, [_pp]),
    "SetIntraOpNumThreads": (24, _status, [_p, ctypes.c_int]),
    "CreateTensorWithDataAsOrtValue": (49, _status, [_p, _p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int64),
                                                     ctypes.c_size_t, ctypes.c_int, _pp]),
    "GetTensorMutableData": (51, _status, [_p, _pp]),
    "GetTensorElementType": (60, _status, [_p, ctypes.POINTER(ctypes.c_int)]),
    "GetDimensionsCount": (61, _status, [_p, ctypes.POINTER(ctypes.c_size_t)]),
    "GetDimensions": (62, _status, [_p, ctypes.POINTER(ctypes.c_int64), ctypes.c_size_t]),
    "GetTensorTypeAndShape": (65, _status, [_p, _pp]),
    "CreateCpuMemoryInfo": (69, _status, [ctypes.c_int, ctypes.c_int, _pp]),
    "ReleaseEnv": (92, None, [_p]),
    "ReleaseStatus": (93, None, [_p]),
    "ReleaseMemoryInfo": (94, None, [_p]),
    "ReleaseSession": (95, None, [_p]),
    "ReleaseValue": (96, None, [_p]),
    "ReleaseTensorTypeAndShapeInfo": (99, None, [_p]),
    "ReleaseSessionOptions": (100, None, [_p]),
}

_FLOAT = 1  # ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT
_LOG_WARNING = 2
_ARENA_ALLOCATOR, _MEM_TYPE_DEFAULT = 1, 0


class OrtError(RuntimeError):
    pass


def library_path() -> Path:
    path = Path(os.environ.get("EMI_ORT_LIBRARY") or DEFAULT_LIBRARY)
    if not path.is_file():
        raise OrtError(
            f"ONNX Runtime native library not found at {path}: restore the C# solution "
            "(dotnet restore EmiPlatform.sln; make build does) or set EMI_ORT_LIBRARY to a libonnxruntime.so"
        )
    return path


class _Api:
    def __init__(self, path: Path):
        self.lib = ctypes.CDLL(str(path))
        self.lib.OrtGetApiBase.restype = ctypes.c_void_p
        base = ctypes.cast(self.lib.OrtGetApiBase(), _pp)
        get_api = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_uint32)(base[0])
        self.version = ctypes.CFUNCTYPE(ctypes.c_char_p)(base[1])().decode()
        table = get_api(API_VERSION)
        if not table:
            raise OrtError(f"ONNX Runtime {self.version} at {path} does not serve C API version {API_VERSION}")
        slots = ctypes.cast(table, _pp)
        for name, (slot, restype, argtypes) in _SLOTS.items():
            setattr(self, name, ctypes.CFUNCTYPE(restype, *argtypes)(slots[slot]))

    def check(self, status) -> None:
        if status:
            message = self.GetErrorMessage(status).decode(errors="replace")
            self.ReleaseStatus(status)
            raise OrtError(message)


_api: _Api | None = None


def api() -> _Api:
    global _api
    if _api is None:
        _api = _Api(library_path())
    return _api


def version() -> str:
    return api().version


class Session:
    """One ONNX Runtime inference session over a model file; float32 inputs and outputs only."""

    _env = None

    def __init__(self, model: str | os.PathLike, intra_op_threads: int = 0):
        a = self._a = api()
        if Session._env is None:
            env = ctypes.c_void_p()
            a.check(a.CreateEnv(_LOG_WARNING, b"emi_ml", ctypes.byref(env)))
            Session._env = env  # one per process, as ONNX Runtime wants
        options = ctypes.c_void_p()
        a.check(a.CreateSessionOptions(ctypes.byref(options)))
        try:
            a.check(a.SetIntraOpNumThreads(options, intra_op_threads))
            session = ctypes.c_void_p()
            a.check(a.CreateSession(Session._env, os.fsencode(model), options, ctypes.byref(session)))
        finally:
            a.ReleaseSessionOptions(options)
        self._session = session
        self._memory = ctypes.c_void_p()
        a.check(a.CreateCpuMemoryInfo(_ARENA_ALLOCATOR, _MEM_TYPE_DEFAULT, ctypes.byref(self._memory)))

    def run(self, output_names, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        a = self._a
        arrays = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in inputs.items()}
        values = (ctypes.c_void_p * len(arrays))()
        outputs = (ctypes.c_void_p * len(output_names))()
        try:
            for i, arr in enumerate(arrays.values()):
                shape = (ctypes.c_int64 * arr.ndim)(*arr.shape)
                a.check(a.CreateTensorWithDataAsOrtValue(
                    self._memory, arr.ctypes.data_as(ctypes.c_void_p), arr.nbytes, shape, arr.ndim,
                    _FLOAT, ctypes.byref(ctypes.c_void_p.from_buffer(values, i * ctypes.sizeof(ctypes.c_void_p)))))
            in_names = (ctypes.c_char_p * len(arrays))(*(k.encode() for k in arrays))
            out_names = (ctypes.c_char_p * len(output_names))(*(k.encode() for k in output_names))
            a.check(a.Run(self._session, None, in_names, values, len(arrays), out_names, len(output_names), outputs))
            return [self._to_numpy(outputs[i]) for i in range(len(output_names))]
        finally:
            for v in list(values) + list(outputs):
                if v:
                    a.ReleaseValue(v)

    def _to_numpy(self, value) -> np.ndarray:
        a = self._a
        info = ctypes.c_void_p()
        a.check(a.GetTensorTypeAndShape(value, ctypes.byref(info)))
        try:
            elem = ctypes.c_int()
            a.check(a.GetTensorElementType(info, ctypes.byref(elem)))
            if elem.value != _FLOAT:
                raise OrtError(f"output element type {elem.value} is not float32")
            n = ctypes.c_size_t()
            a.check(a.GetDimensionsCount(info, ctypes.byref(n)))
            dims = (ctypes.c_int64 * n.value)()
            a.check(a.GetDimensions(info, dims, n.value))
        finally:
            a.ReleaseTensorTypeAndShapeInfo(info)
        shape = tuple(dims)
        data = ctypes.c_void_p()
        a.check(a.GetTensorMutableData(value, ctypes.byref(data)))
        count = int(np.prod(shape))
        if count == 0:
            return np.zeros(shape, dtype=np.float32)
        buf = (ctypes.c_float * count).from_address(data.value)
        return np.frombuffer(buf, dtype=np.float32).reshape(shape).copy()

    def close(self) -> None:
        if self._session:
            self._a.ReleaseSession(self._session)
            self._a.ReleaseMemoryInfo(self._memory)
            self._session = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may already be gone
            pass
