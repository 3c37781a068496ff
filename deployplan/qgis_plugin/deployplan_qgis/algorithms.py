"""deployplan's Processing algorithms: each runs ``python -m deployplan.qgis_worker``.

QGIS's Python cannot import deployplan (its numpy and GDAL bindings clash with deployplan's
geopandas stack), so every algorithm writes its input layers to GeoPackages, runs deployplan's
worker with the interpreter recorded at install (``deployplan.json`` beside this file), and
copies the layers of the GeoPackage it writes into the algorithm's outputs. A user error
(deployplan's exit status 2) becomes a QgsProcessingException with deployplan's message.
"""

import json
import os
import subprocess
import tempfile
from pathlib import Path

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "deployplan.json"

PRESETS = [(o, v) for o in (1, 2, 3, 4) for v in ("eur-plus", "ua-supported")]
UNIT_TYPES = ["light-battalion", "heavy-battalion", "heavy-brigade"]


def deployplan_python():
    """The interpreter of deployplan's environment, as ``deployplan qgis install`` recorded it."""
    try:
        python = json.loads(CONFIG.read_text(encoding="utf-8"))["python"]
    except (OSError, ValueError, KeyError):
        raise QgsProcessingException(
            f"deployplan is not set up for QGIS ({CONFIG} is missing); run "
            "'deployplan qgis install' in deployplan's environment"
        ) from None
    if not Path(python).exists():
        raise QgsProcessingException(
            f"deployplan's Python {python} no longer exists; run 'deployplan qgis install' again"
        )
    return python


def export_source(source, path, context):
    """Write a feature source (a layer, a selection) to a GeoPackage for deployplan."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = "input"
    options.layerOptions = ["FID=qgis_fid"]
    fields = QgsFields()
    keep = []
    for index, field in enumerate(source.fields()):
        if field.name().lower() != "qgis_fid":
            fields.append(field)
            keep.append(index)
    writer = QgsVectorFileWriter.create(
        str(path),
        fields,
        source.wkbType(),
        source.sourceCrs(),
        context.transformContext(),
        options,
    )
    if writer.hasError() != QgsVectorFileWriter.NoError:
        raise QgsProcessingException(f"cannot write {path}: {writer.errorMessage()}")
    for feature in source.getFeatures():
        out = QgsFeature(fields)
        out.setGeometry(feature.geometry())
        attributes = feature.attributes()
        out.setAttributes([attributes[i] for i in keep])
        writer.addFeature(out)
    del writer
    return str(path)


def run_worker(name, params, inputs, workdir, feedback):
    """Run deployplan's worker; return its result (dict) and the GeoPackage it wrote."""
    output = Path(workdir) / "result.gpkg"
    request = Path(workdir) / "request.json"
    request.write_text(
        json.dumps({"algorithm": name, "params": params, "inputs": inputs, "output": str(output)}),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    command = [deployplan_python(), "-m", "deployplan.qgis_worker", str(request)]
    feedback.pushInfo("running " + " ".join(command))
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        message = lines[-1] if done.returncode == 2 else "\n".join(lines[-15:])
        raise QgsProcessingException(f"deployplan: {message}")
    return json.loads(done.stdout.strip().splitlines()[-1]), output


def copy_layer(algorithm, parameters, context, key, gpkg, layer_name):
    """Copy layer ``layer_name`` of the worker's GeoPackage into the sink ``key``."""
    layer = QgsVectorLayer(f"{gpkg}|layername={layer_name}", layer_name, "ogr")
    if not layer.isValid():
        raise QgsProcessingException(f"deployplan wrote no layer {layer_name!r}")
    fields = QgsFields()
    keep = []
    for index, field in enumerate(layer.fields()):
        if field.name() != "fid":
            fields.append(field)
            keep.append(index)
    sink, dest = algorithm.parameterAsSink(
        parameters, key, context, fields, layer.wkbType(), layer.crs()
    )
    if sink is None:
        raise QgsProcessingException(algorithm.invalidSinkError(parameters, key))
    for feature in layer.getFeatures():
        out = QgsFeature(fields)
        out.setGeometry(feature.geometry())
        attributes = feature.attributes()
        out.setAttributes([attributes[i] for i in keep])
        sink.addFeature(out, QgsFeatureSink.FastInsert)
    return dest


class DeployplanAlgorithm(QgsProcessingAlgorithm):
    """What every deployplan algorithm shares: run the worker, copy its layers out."""

    NAME = ""
    TITLE = ""
    HELP = ""
    #: sink parameter -> layer of the worker's GeoPackage
    OUTPUTS = {}
    #: numbers of the worker's result exposed as outputs
    NUMBERS = ()

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802 - QGIS's name
        return self.TITLE

    def group(self):
        return "deployplan"

    def groupId(self):  # noqa: N802 - QGIS's name
        return "deployplan"

    def shortHelpString(self):  # noqa: N802 - QGIS's name
        return self.HELP

    def createInstance(self):  # noqa: N802 - QGIS's name
        return type(self)()

    def flags(self):
        # the worker is a separate process: safe off the main thread
        return super().flags()

    def add_sinks(self, kinds):
        for key, title in kinds:
            self.addParameter(QgsProcessingParameterFeatureSink(key, title))
        for number in self.NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(number.upper(), number.replace("_", " ")))

    def source(self, parameters, context, key, workdir, optional=False):
        source = self.parameterAsSource(parameters, key, context)
        if source is None:
            if optional:
                return None
            raise QgsProcessingException(self.invalidSourceError(parameters, key))
        return export_source(source, Path(workdir) / f"{key.lower()}.gpkg", context)

    def worker_params(self, parameters, context):
        return {}

    def worker_inputs(self, parameters, context, workdir):
        return {}

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS's name
        with tempfile.TemporaryDirectory(prefix="deployplan-qgis-") as workdir:
            inputs = self.worker_inputs(parameters, context, workdir)
            params = self.worker_params(parameters, context)
            result, gpkg = run_worker(self.NAME, params, inputs, workdir, feedback)
            outputs = {
                key: copy_layer(self, parameters, context, key, gpkg, layer)
                for key, layer in self.OUTPUTS.items()
            }
        for number in self.NUMBERS:
            if number in result:
                outputs[number.upper()] = result[number]
                feedback.pushInfo(f"{number}: {result[number]}")
        return outputs


def _number(key, title, default, minimum=0.0):
    return QgsProcessingParameterNumber(
        key, title, QgsProcessingParameterNumber.Double, default, False, minimum
    )


class DeriveLine(DeployplanAlgorithm):
    NAME = "deriveline"
    TITLE = "Derive contact line from occupied territory"
    HELP = (
        "The line of contact: the boundary of an occupied-territory polygon (e.g. "
        "DeepStateMap's) that lies inside Ukraine, away from coast and state border; one line "
        "per part, the longest is part 0 (layers.line_from_occupied)."
    )
    OUTPUTS = {"OUTPUT": "line"}
    NUMBERS = ("line_km",)

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS's name
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "INPUT", "Occupied territory", [QgsProcessing.TypeVectorPolygon]
            )
        )
        self.addParameter(QgsProcessingParameterString("DATE", "Date (YYYY-MM-DD)", optional=True))
        self.add_sinks([("OUTPUT", "Contact line")])

    def worker_inputs(self, parameters, context, workdir):
        return {"occupied": self.source(parameters, context, "INPUT", workdir)}

    def worker_params(self, parameters, context):
        return {"date": self.parameterAsString(parameters, "DATE", context)}


class PlaceAlongLine(DeployplanAlgorithm):
    NAME = "placealongline"
    TITLE = "Place units along line"
    HELP = (
        "One unit every SPACING_KM km measured geodesically along the main part of the line "
        "(the first at half a spacing from the south-western end), STANDOFF_KM behind it on "
        "the friendly side, each covering RADIUS_KM (planner.make_plan). Outputs the units, "
        "their geodesic coverage circles and the gaps of the line."
    )
    OUTPUTS = {"OUTPUT": "units", "COVERAGE": "coverage", "GAPS": "gaps"}
    NUMBERS = ("units", "covered_fraction", "largest_gap_km")

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS's name
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "INPUT", "Contact line", [QgsProcessing.TypeVectorLine]
            )
        )
        self.addParameter(QgsProcessingParameterEnum("UNIT", "Unit type", UNIT_TYPES, False, 0))
        self.addParameter(_number("SPACING_KM", "Spacing along the line (km)", 50.0))
        self.addParameter(_number("STANDOFF_KM", "Standoff behind the line (km)", 10.0))
        self.addParameter(_number("RADIUS_KM", "Coverage radius (km)", 25.0))
        self.addParameter(
            QgsProcessingParameterBoolean("ALL_PARTS", "Every part of the line", True)
        )
        self.add_sinks([("OUTPUT", "Units"), ("COVERAGE", "Coverage"), ("GAPS", "Gaps")])

    def worker_inputs(self, parameters, context, workdir):
        return {"line": self.source(parameters, context, "INPUT", workdir)}

    def worker_params(self, parameters, context):
        return {
            "unit": UNIT_TYPES[self.parameterAsEnum(parameters, "UNIT", context)],
            "spacing_km": self.parameterAsDouble(parameters, "SPACING_KM", context),
            "standoff_km": self.parameterAsDouble(parameters, "STANDOFF_KM", context),
            "radius_km": self.parameterAsDouble(parameters, "RADIUS_KM", context),
            "all_parts": self.parameterAsBoolean(parameters, "ALL_PARTS", context),
        }


class PlaceAroundPoints(DeployplanAlgorithm):
    NAME = "placearoundpoints"
    TITLE = "Place units around points"
    HELP = (
        "COUNT units opposite each concentration point on the friendly side of the line, "
        "STANDOFF_KM behind it, each covering RADIUS_KM (planner.make_plan). Without a LINE "
        "the bundled line of contact is used."
    )
    OUTPUTS = {"OUTPUT": "units", "COVERAGE": "coverage"}
    NUMBERS = ("units", "covered_fraction", "largest_gap_km")

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS's name
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "INPUT", "Concentration points ('name' field)", [QgsProcessing.TypeVectorPoint]
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "LINE", "Contact line", [QgsProcessing.TypeVectorLine], optional=True
            )
        )
        self.addParameter(QgsProcessingParameterEnum("UNIT", "Unit type", UNIT_TYPES, False, 2))
        self.addParameter(
            QgsProcessingParameterNumber(
                "COUNT", "Units per point", QgsProcessingParameterNumber.Integer, 1, False, 1
            )
        )
        self.addParameter(_number("STANDOFF_KM", "Standoff behind the line (km)", 30.0))
        self.addParameter(_number("RADIUS_KM", "Coverage radius (km)", 100.0))
        self.add_sinks([("OUTPUT", "Units"), ("COVERAGE", "Coverage")])

    def worker_inputs(self, parameters, context, workdir):
        inputs = {"points": self.source(parameters, context, "INPUT", workdir)}
        line = self.source(parameters, context, "LINE", workdir, optional=True)
        if line:
            inputs["line"] = line
        return inputs

    def worker_params(self, parameters, context):
        return {
            "unit": UNIT_TYPES[self.parameterAsEnum(parameters, "UNIT", context)],
            "count": self.parameterAsInt(parameters, "COUNT", context),
            "standoff_km": self.parameterAsDouble(parameters, "STANDOFF_KM", context),
            "radius_km": self.parameterAsDouble(parameters, "RADIUS_KM", context),
        }


class PlanPreset(DeployplanAlgorithm):
    NAME = "planpreset"
    TITLE = "Plan a preset option"
    HELP = (
        "One of the eight options of the Dutch policy notes (options 1-4, EUR+ or "
        "UA-supported) placed on the line (the bundled one without LINE): units, coverage, "
        "gaps and supply legs, as 'deployplan plan --option N --variant V' does."
    )
    OUTPUTS = {"OUTPUT": "units", "COVERAGE": "coverage", "GAPS": "gaps", "LEGS": "legs"}
    NUMBERS = ("units", "covered_fraction", "largest_gap_km")

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS's name
        labels = [f"Option {o} {v}" for o, v in PRESETS]
        self.addParameter(QgsProcessingParameterEnum("OPTION", "Option", labels, False, 0))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "LINE", "Contact line", [QgsProcessing.TypeVectorLine], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "ROTATION", "Rotation factor", QgsProcessingParameterNumber.Integer, 4, False, 1, 6
            )
        )
        self.add_sinks(
            [("OUTPUT", "Units"), ("COVERAGE", "Coverage"), ("GAPS", "Gaps"), ("LEGS", "Legs")]
        )

    def worker_inputs(self, parameters, context, workdir):
        line = self.source(parameters, context, "LINE", workdir, optional=True)
        return {"line": line} if line else {}

    def worker_params(self, parameters, context):
        option, variant = PRESETS[self.parameterAsEnum(parameters, "OPTION", context)]
        return {
            "option": option,
            "variant": variant,
            "rotation": self.parameterAsInt(parameters, "ROTATION", context),
        }


class LineCoverage(DeployplanAlgorithm):
    NAME = "coverage"
    TITLE = "Coverage of a line"
    HELP = (
        "How much of the line lies within each unit's radius (geodesic), and where the gaps "
        "are (planner.measure_coverage). Units carry a 'radius_km' field or take RADIUS_KM."
    )
    OUTPUTS = {"OUTPUT": "gaps", "COVERAGE": "coverage"}
    NUMBERS = ("covered_fraction", "largest_gap_km", "gaps")

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS's name
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "INPUT", "Contact line", [QgsProcessing.TypeVectorLine]
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource("UNITS", "Units", [QgsProcessing.TypeVectorPoint])
        )
        radius = _number("RADIUS_KM", "Radius where units have none (km)", 25.0)
        self.addParameter(radius)
        self.add_sinks([("OUTPUT", "Gaps"), ("COVERAGE", "Coverage circles")])

    def worker_inputs(self, parameters, context, workdir):
        return {
            "line": self.source(parameters, context, "INPUT", workdir),
            "units": self.source(parameters, context, "UNITS", workdir),
        }

    def worker_params(self, parameters, context):
        return {"radius_km": self.parameterAsDouble(parameters, "RADIUS_KM", context)}


ALGORITHMS = [DeriveLine, PlaceAlongLine, PlaceAroundPoints, PlanPreset, LineCoverage]
