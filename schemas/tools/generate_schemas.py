#!/usr/bin/env python3
"""Generate the project's OCPP 1.6-J JSON schemas from the specification text.

Every message, class, enumeration and string length below was transcribed by
hand from the specification documents (see README.md in the parent folder):

  * OCPP 1.6 edition 2 (2017-09-28), chapter 6 "Messages" and chapter 7 "Types",
    as corrected by the OCPP 1.6 errata sheet v4.0 (2019-10-23);
  * OCPP-J 1.6 errata sheet v1.0 (2019-12-04), which defines the JSON-schema
    errata and the "urn:OCPP:1.6:2019:12" id of the schema set;
  * "Improved security for OCPP 1.6-J", edition 2 (2020-03-31), chapter 5
    "Messages" and chapter 6 "Datatypes".

The output follows the file format that the Open Charge Alliance uses for the
published schema sets (draft-04 inline style for the core set, draft-06
"definitions"/"$ref" style for the security extension).  Where the OCA files
deviate from the specification text, the deviation is encoded explicitly in
the QUIRKS section below and listed in README.md, so that what we validate on
the wire is what OCTT validates.

Usage:  python3 schemas/tools/generate_schemas.py [--check]
  (no argument)  rewrite schemas/core/*.json and schemas/security/*.json
  --check        exit 1 if any file on disk differs from what would be written

Stdlib only.
"""

import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_ROOT = os.path.dirname(HERE)

CORE_SCHEMA_URI = "http://json-schema.org/draft-04/schema#"
CORE_ID_PREFIX = "urn:OCPP:1.6:2019:12:"
SECURITY_SCHEMA_URI = "http://json-schema.org/draft-06/schema#"
SECURITY_ID_PREFIX = "urn:OCPP:Cp:1.6:2020:3:"

# ---------------------------------------------------------------------------
# OCPP 1.6 edition 2, chapter 7 "Types"
# ---------------------------------------------------------------------------

# Primitive field types of the specification -> JSON schema fragment.
CORE_PRIMITIVES = {
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    # "decimal ... Accepts at most one digit fraction (e.g. 8.1)" (7.13, 7.14)
    "decimal": {"type": "number", "multipleOf": 0.1},
    "dateTime": {"type": "string", "format": "date-time"},
    "anyURI": {"type": "string", "format": "uri"},
    # DataTransfer.data: "Text, Length undefined"; SampledValue.value: "String"
    "Text": {"type": "string"},
    "String": {"type": "string"},
    # 7.15 - 7.19
    "CiString20Type": {"type": "string", "maxLength": 20},
    "CiString25Type": {"type": "string", "maxLength": 25},
    "CiString50Type": {"type": "string", "maxLength": 50},
    "CiString255Type": {"type": "string", "maxLength": 255},
    "CiString500Type": {"type": "string", "maxLength": 500},
    # 7.28 IdToken: CiString20Type (errata v4 3.73/3.74)
    "IdToken": {"type": "string", "maxLength": 20},
}

# Enumerations, in the order the specification lists their values.
CORE_ENUMS = {
    "AuthorizationStatus": ["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"],  # 7.2
    "AvailabilityStatus": ["Accepted", "Rejected", "Scheduled"],  # 7.3
    "AvailabilityType": ["Inoperative", "Operative"],  # 7.4
    "CancelReservationStatus": ["Accepted", "Rejected"],  # 7.5
    "ChargePointErrorCode": [  # 7.6
        "ConnectorLockFailure", "EVCommunicationError", "GroundFailure",
        "HighTemperature", "InternalError", "LocalListConflict", "NoError",
        "OtherError", "OverCurrentFailure", "OverVoltage", "PowerMeterFailure",
        "PowerSwitchFailure", "ReaderFailure", "ResetFailure", "UnderVoltage",
        "WeakSignal",
    ],
    "ChargePointStatus": [  # 7.7
        "Available", "Preparing", "Charging", "SuspendedEVSE", "SuspendedEV",
        "Finishing", "Reserved", "Unavailable", "Faulted",
    ],
    "ChargingProfileKindType": ["Absolute", "Recurring", "Relative"],  # 7.9
    "ChargingProfilePurposeType": ["ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"],  # 7.10
    "ChargingProfileStatus": ["Accepted", "Rejected", "NotSupported"],  # 7.11
    "ChargingRateUnitType": ["W", "A"],  # 7.12
    "ClearCacheStatus": ["Accepted", "Rejected"],  # 7.20
    "ClearChargingProfileStatus": ["Accepted", "Unknown"],  # 7.21
    "ConfigurationStatus": ["Accepted", "Rejected", "RebootRequired", "NotSupported"],  # 7.22
    "DataTransferStatus": ["Accepted", "Rejected", "UnknownMessageId", "UnknownVendorId"],  # 7.23
    "DiagnosticsStatus": ["Idle", "Uploaded", "UploadFailed", "Uploading"],  # 7.24
    "FirmwareStatus": [  # 7.25
        "Downloaded", "DownloadFailed", "Downloading", "Idle",
        "InstallationFailed", "Installing", "Installed",
    ],
    "GetCompositeScheduleStatus": ["Accepted", "Rejected"],  # 7.26
    "Location": ["Body", "Cable", "EV", "Inlet", "Outlet"],  # 7.30
    "Measurand": [  # 7.31
        "Current.Export", "Current.Import", "Current.Offered",
        "Energy.Active.Export.Register", "Energy.Active.Import.Register",
        "Energy.Reactive.Export.Register", "Energy.Reactive.Import.Register",
        "Energy.Active.Export.Interval", "Energy.Active.Import.Interval",
        "Energy.Reactive.Export.Interval", "Energy.Reactive.Import.Interval",
        "Frequency", "Power.Active.Export", "Power.Active.Import",
        "Power.Factor", "Power.Offered", "Power.Reactive.Export",
        "Power.Reactive.Import", "RPM", "SoC", "Temperature", "Voltage",
    ],
    "MessageTrigger": [  # 7.32
        "BootNotification", "DiagnosticsStatusNotification",
        "FirmwareStatusNotification", "Heartbeat", "MeterValues",
        "StatusNotification",
    ],
    "Phase": ["L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1"],  # 7.34
    "ReadingContext": [  # 7.35
        "Interruption.Begin", "Interruption.End", "Other", "Sample.Clock",
        "Sample.Periodic", "Transaction.Begin", "Transaction.End", "Trigger",
    ],
    "Reason": [  # 7.36
        "DeAuthorized", "EmergencyStop", "EVDisconnected", "HardReset", "Local",
        "Other", "PowerLoss", "Reboot", "Remote", "SoftReset", "UnlockCommand",
    ],
    "RecurrencyKindType": ["Daily", "Weekly"],  # 7.37
    "RegistrationStatus": ["Accepted", "Pending", "Rejected"],  # 7.38
    "RemoteStartStopStatus": ["Accepted", "Rejected"],  # 7.39
    "ReservationStatus": ["Accepted", "Faulted", "Occupied", "Rejected", "Unavailable"],  # 7.40
    "ResetStatus": ["Accepted", "Rejected"],  # 7.41
    "ResetType": ["Hard", "Soft"],  # 7.42
    "TriggerMessageStatus": ["Accepted", "Rejected", "NotImplemented"],  # 7.44
    "UnitOfMeasure": [  # 7.45
        "Wh", "kWh", "varh", "kvarh", "W", "kW", "VA", "kVA", "var", "kvar",
        "A", "V", "Celsius", "Fahrenheit", "K", "Percent",
    ],
    "UnlockStatus": ["Unlocked", "UnlockFailed", "NotSupported"],  # 7.46
    "UpdateStatus": ["Accepted", "Failed", "NotSupported", "VersionMismatch"],  # 7.47
    "UpdateType": ["Differential", "Full"],  # 7.48
    "ValueFormat": ["Raw", "SignedData"],  # 7.49
}

# Classes: (field name, field type, cardinality), in specification order.
CORE_CLASSES = {
    "AuthorizationData": [  # 7.1
        ("idTag", "IdToken", "1..1"),
        ("idTagInfo", "IdTagInfo", "0..1"),
    ],
    "ChargingProfile": [  # 7.8
        ("chargingProfileId", "integer", "1..1"),
        ("transactionId", "integer", "0..1"),
        ("stackLevel", "integer", "1..1"),
        ("chargingProfilePurpose", "ChargingProfilePurposeType", "1..1"),
        ("chargingProfileKind", "ChargingProfileKindType", "1..1"),
        ("recurrencyKind", "RecurrencyKindType", "0..1"),
        ("validFrom", "dateTime", "0..1"),
        ("validTo", "dateTime", "0..1"),
        ("chargingSchedule", "ChargingSchedule", "1..1"),
    ],
    "ChargingSchedule": [  # 7.13
        ("duration", "integer", "0..1"),
        ("startSchedule", "dateTime", "0..1"),
        ("chargingRateUnit", "ChargingRateUnitType", "1..1"),
        ("chargingSchedulePeriod", "ChargingSchedulePeriod", "1..*"),
        ("minChargingRate", "decimal", "0..1"),
    ],
    "ChargingSchedulePeriod": [  # 7.14
        ("startPeriod", "integer", "1..1"),
        ("limit", "decimal", "1..1"),
        ("numberPhases", "integer", "0..1"),
    ],
    "IdTagInfo": [  # 7.27 (cardinalities from errata v4 3.72)
        ("expiryDate", "dateTime", "0..1"),
        ("parentIdTag", "IdToken", "0..1"),
        ("status", "AuthorizationStatus", "1..1"),
    ],
    "KeyValue": [  # 7.29
        ("key", "CiString50Type", "1..1"),
        ("readonly", "boolean", "1..1"),
        ("value", "CiString500Type", "0..1"),
    ],
    "MeterValue": [  # 7.33
        ("timestamp", "dateTime", "1..1"),
        ("sampledValue", "SampledValue", "1..*"),
    ],
    "SampledValue": [  # 7.43
        ("value", "String", "1..1"),
        ("context", "ReadingContext", "0..1"),
        ("format", "ValueFormat", "0..1"),
        ("measurand", "Measurand", "0..1"),
        ("phase", "Phase", "0..1"),
        ("location", "Location", "0..1"),
        ("unit", "UnitOfMeasure", "0..1"),
    ],
}

# ---------------------------------------------------------------------------
# OCPP 1.6 edition 2, chapter 6 "Messages" (.req -> <Action>.json,
# .conf -> <Action>Response.json). An empty list means "No fields are defined."
# ---------------------------------------------------------------------------
CORE_MESSAGES = collections.OrderedDict([
    ("Authorize", (  # 6.1 / 6.2
        [("idTag", "IdToken", "1..1")],
        [("idTagInfo", "IdTagInfo", "1..1")],
    )),
    ("BootNotification", (  # 6.3 / 6.4
        [
            ("chargePointVendor", "CiString20Type", "1..1"),
            ("chargePointModel", "CiString20Type", "1..1"),
            ("chargePointSerialNumber", "CiString25Type", "0..1"),
            ("chargeBoxSerialNumber", "CiString25Type", "0..1"),
            ("firmwareVersion", "CiString50Type", "0..1"),
            ("iccid", "CiString20Type", "0..1"),
            ("imsi", "CiString20Type", "0..1"),
            ("meterType", "CiString25Type", "0..1"),
            ("meterSerialNumber", "CiString25Type", "0..1"),
        ],
        [
            ("status", "RegistrationStatus", "1..1"),
            ("currentTime", "dateTime", "1..1"),
            # OCPP-J errata 2.3: integer, not number
            ("interval", "integer", "1..1"),
        ],
    )),
    ("CancelReservation", (  # 6.5 / 6.6
        [("reservationId", "integer", "1..1")],
        [("status", "CancelReservationStatus", "1..1")],
    )),
    ("ChangeAvailability", (  # 6.7 / 6.8
        [
            ("connectorId", "integer", "1..1"),
            ("type", "AvailabilityType", "1..1"),
        ],
        [("status", "AvailabilityStatus", "1..1")],
    )),
    ("ChangeConfiguration", (  # 6.9 / 6.10
        [
            ("key", "CiString50Type", "1..1"),
            ("value", "CiString500Type", "1..1"),
        ],
        [("status", "ConfigurationStatus", "1..1")],
    )),
    ("ClearCache", (  # 6.11 / 6.12
        [],
        [("status", "ClearCacheStatus", "1..1")],
    )),
    ("ClearChargingProfile", (  # 6.13 / 6.14
        [
            ("id", "integer", "0..1"),
            ("connectorId", "integer", "0..1"),
            ("chargingProfilePurpose", "ChargingProfilePurposeType", "0..1"),
            ("stackLevel", "integer", "0..1"),
        ],
        [("status", "ClearChargingProfileStatus", "1..1")],
    )),
    ("DataTransfer", (  # 6.15 / 6.16
        [
            ("vendorId", "CiString255Type", "1..1"),
            ("messageId", "CiString50Type", "0..1"),
            ("data", "Text", "0..1"),
        ],
        [
            ("status", "DataTransferStatus", "1..1"),
            ("data", "Text", "0..1"),
        ],
    )),
    ("DiagnosticsStatusNotification", (  # 6.17 / 6.18
        [("status", "DiagnosticsStatus", "1..1")],
        [],
    )),
    ("FirmwareStatusNotification", (  # 6.19 / 6.20
        [("status", "FirmwareStatus", "1..1")],
        [],
    )),
    ("GetCompositeSchedule", (  # 6.21 / 6.22
        [
            ("connectorId", "integer", "1..1"),
            ("duration", "integer", "1..1"),
            ("chargingRateUnit", "ChargingRateUnitType", "0..1"),
        ],
        [
            ("status", "GetCompositeScheduleStatus", "1..1"),
            ("connectorId", "integer", "0..1"),
            ("scheduleStart", "dateTime", "0..1"),
            ("chargingSchedule", "ChargingSchedule", "0..1"),
        ],
    )),
    ("GetConfiguration", (  # 6.23 / 6.24
        [("key", "CiString50Type", "0..*")],
        [
            ("configurationKey", "KeyValue", "0..*"),
            ("unknownKey", "CiString50Type", "0..*"),
        ],
    )),
    ("GetDiagnostics", (  # 6.25 / 6.26
        [
            ("location", "anyURI", "1..1"),
            ("retries", "integer", "0..1"),
            ("retryInterval", "integer", "0..1"),
            ("startTime", "dateTime", "0..1"),
            ("stopTime", "dateTime", "0..1"),
        ],
        [("fileName", "CiString255Type", "0..1")],
    )),
    ("GetLocalListVersion", (  # 6.27 / 6.28
        [],
        [("listVersion", "integer", "1..1")],
    )),
    ("Heartbeat", (  # 6.29 / 6.30
        [],
        [("currentTime", "dateTime", "1..1")],
    )),
    ("MeterValues", (  # 6.31 / 6.32
        [
            ("connectorId", "integer", "1..1"),
            ("transactionId", "integer", "0..1"),
            ("meterValue", "MeterValue", "1..*"),
        ],
        [],
    )),
    ("RemoteStartTransaction", (  # 6.33 / 6.34
        [
            ("connectorId", "integer", "0..1"),
            ("idTag", "IdToken", "1..1"),
            ("chargingProfile", "ChargingProfile", "0..1"),
        ],
        [("status", "RemoteStartStopStatus", "1..1")],
    )),
    ("RemoteStopTransaction", (  # 6.35 / 6.36
        [("transactionId", "integer", "1..1")],
        [("status", "RemoteStartStopStatus", "1..1")],
    )),
    ("ReserveNow", (  # 6.37 / 6.38
        [
            ("connectorId", "integer", "1..1"),
            ("expiryDate", "dateTime", "1..1"),
            ("idTag", "IdToken", "1..1"),
            ("parentIdTag", "IdToken", "0..1"),
            ("reservationId", "integer", "1..1"),
        ],
        [("status", "ReservationStatus", "1..1")],
    )),
    ("Reset", (  # 6.39 / 6.40
        [("type", "ResetType", "1..1")],
        [("status", "ResetStatus", "1..1")],
    )),
    ("SendLocalList", (  # 6.41 / 6.42
        [
            ("listVersion", "integer", "1..1"),
            ("localAuthorizationList", "AuthorizationData", "0..*"),
            ("updateType", "UpdateType", "1..1"),
        ],
        [("status", "UpdateStatus", "1..1")],
    )),
    ("SetChargingProfile", (  # 6.43 / 6.44
        [
            ("connectorId", "integer", "1..1"),
            ("csChargingProfiles", "ChargingProfile", "1..1"),
        ],
        [("status", "ChargingProfileStatus", "1..1")],
    )),
    ("StartTransaction", (  # 6.45 / 6.46
        [
            ("connectorId", "integer", "1..1"),
            ("idTag", "IdToken", "1..1"),
            ("meterStart", "integer", "1..1"),
            ("reservationId", "integer", "0..1"),
            ("timestamp", "dateTime", "1..1"),
        ],
        [
            ("idTagInfo", "IdTagInfo", "1..1"),
            ("transactionId", "integer", "1..1"),
        ],
    )),
    ("StatusNotification", (  # 6.47 / 6.48
        [
            ("connectorId", "integer", "1..1"),
            ("errorCode", "ChargePointErrorCode", "1..1"),
            ("info", "CiString50Type", "0..1"),
            ("status", "ChargePointStatus", "1..1"),
            ("timestamp", "dateTime", "0..1"),
            ("vendorId", "CiString255Type", "0..1"),
            ("vendorErrorCode", "CiString50Type", "0..1"),
        ],
        [],
    )),
    ("StopTransaction", (  # 6.49 / 6.50
        [
            ("idTag", "IdToken", "0..1"),
            ("meterStop", "integer", "1..1"),
            ("timestamp", "dateTime", "1..1"),
            ("transactionId", "integer", "1..1"),
            # OCPP-J errata 2.5: optional, not in "required"
            ("reason", "Reason", "0..1"),
            ("transactionData", "MeterValue", "0..*"),
        ],
        [("idTagInfo", "IdTagInfo", "0..1")],
    )),
    ("TriggerMessage", (  # 6.51 / 6.52
        [
            ("requestedMessage", "MessageTrigger", "1..1"),
            ("connectorId", "integer", "0..1"),
        ],
        [("status", "TriggerMessageStatus", "1..1")],
    )),
    ("UnlockConnector", (  # 6.53 / 6.54
        [("connectorId", "integer", "1..1")],
        [("status", "UnlockStatus", "1..1")],
    )),
    ("UpdateFirmware", (  # 6.55 / 6.56
        [
            ("location", "anyURI", "1..1"),
            # OCPP-J errata 2.4: integer, not number
            ("retries", "integer", "0..1"),
            ("retrieveDate", "dateTime", "1..1"),
            ("retryInterval", "integer", "0..1"),
        ],
        [],
    )),
])

# ---------------------------------------------------------------------------
# Improved security for OCPP 1.6-J, edition 2: chapter 6 "Datatypes"
# ---------------------------------------------------------------------------
SECURITY_PRIMITIVES = {
    "integer": {"type": "integer"},
    "dateTime": {"type": "string", "format": "date-time"},
}

SECURITY_ENUMS = {
    "CertificateSignedStatusEnumType": ["Accepted", "Rejected"],  # 6.2
    # 6.3 "CertificateStatusEnumType"; OCA names the definition after the
    # OCPP 2.0.1 type, see SECURITY_DEFINITION_NAMES below.
    "CertificateStatusEnumType": ["Accepted", "Failed", "Rejected"],
    "CertificateUseEnumType": ["CentralSystemRootCertificate", "ManufacturerRootCertificate"],  # 6.4
    "DeleteCertificateStatusEnumType": ["Accepted", "Failed", "NotFound"],  # 6.5
    "FirmwareStatusEnumType": [  # 6.6
        "Downloaded", "DownloadFailed", "Downloading", "DownloadScheduled",
        "DownloadPaused", "Idle", "InstallationFailed", "Installing",
        "Installed", "InstallRebooting", "InstallScheduled",
        "InstallVerificationFailed", "InvalidSignature", "SignatureVerified",
    ],
    "GenericStatusEnumType": ["Accepted", "Rejected"],  # 6.8
    "GetInstalledCertificateStatusEnumType": ["Accepted", "NotFound"],  # 6.9
    "HashAlgorithmEnumType": ["SHA256", "SHA384", "SHA512"],  # 6.10
    "LogEnumType": ["DiagnosticsLog", "SecurityLog"],  # 6.11
    "LogStatusEnumType": ["Accepted", "Rejected", "AcceptedCanceled"],  # 6.13
    "MessageTriggerEnumType": [  # 6.14
        "BootNotification", "LogStatusNotification", "FirmwareStatusNotification",
        "Heartbeat", "MeterValues", "SignChargePointCertificate",
        "StatusNotification",
    ],
    "TriggerMessageStatusEnumType": ["Accepted", "Rejected", "NotImplemented"],  # 6.15
    "UpdateFirmwareStatusEnumType": [  # 6.16
        "Accepted", "Rejected", "AcceptedCanceled", "InvalidCertificate",
        "RevokedCertificate",
    ],
    "UploadLogStatusEnumType": [  # 6.17
        "BadMessage", "Idle", "NotSupportedOperation", "PermissionDenied",
        "Uploaded", "UploadFailure", "Uploading",
    ],
}

# ("string", N) means string[0..N] (or string[N]) in the whitepaper tables;
# identifierString[0..N] is a string of at most N characters as well.
SECURITY_CLASSES = {
    "CertificateHashDataType": [  # 6.1
        ("hashAlgorithm", "HashAlgorithmEnumType", "1..1"),
        ("issuerNameHash", ("string", 128), "1..1"),
        ("issuerKeyHash", ("string", 128), "1..1"),
        ("serialNumber", ("string", 40), "1..1"),
    ],
    "FirmwareType": [  # 6.7
        ("location", ("string", 512), "1..1"),
        ("retrieveDateTime", "dateTime", "1..1"),
        ("installDateTime", "dateTime", "0..1"),
        ("signingCertificate", ("string", 5500), "1..1"),
        ("signature", ("string", 800), "1..1"),
    ],
    "LogParametersType": [  # 6.12
        ("remoteLocation", ("string", 512), "1..1"),
        ("oldestTimestamp", "dateTime", "0..1"),
        ("latestTimestamp", "dateTime", "0..1"),
    ],
}

# Chapter 5 "Messages".
SECURITY_MESSAGES = collections.OrderedDict([
    ("CertificateSigned", (  # 5.1 / 5.2
        [("certificateChain", ("string", 10000), "1..1")],
        [("status", "CertificateSignedStatusEnumType", "1..1")],
    )),
    ("DeleteCertificate", (  # 5.3 / 5.4
        [("certificateHashData", "CertificateHashDataType", "1..1")],
        [("status", "DeleteCertificateStatusEnumType", "1..1")],
    )),
    ("ExtendedTriggerMessage", (  # 5.5 / 5.6
        [
            ("requestedMessage", "MessageTriggerEnumType", "1..1"),
            ("connectorId", "integer", "0..1"),
        ],
        [("status", "TriggerMessageStatusEnumType", "1..1")],
    )),
    ("GetInstalledCertificateIds", (  # 5.7 / 5.8
        [("certificateType", "CertificateUseEnumType", "1..1")],
        [
            ("status", "GetInstalledCertificateStatusEnumType", "1..1"),
            ("certificateHashData", "CertificateHashDataType", "0..*"),
        ],
    )),
    ("GetLog", (  # 5.9 / 5.10
        [
            ("logType", "LogEnumType", "1..1"),
            ("requestId", "integer", "1..1"),
            ("retries", "integer", "0..1"),
            ("retryInterval", "integer", "0..1"),
            ("log", "LogParametersType", "1..1"),
        ],
        [
            ("status", "LogStatusEnumType", "1..1"),
            ("filename", ("string", 255), "0..1"),
        ],
    )),
    ("InstallCertificate", (  # 5.11 / 5.12
        [
            ("certificateType", "CertificateUseEnumType", "1..1"),
            ("certificate", ("string", 5500), "1..1"),
        ],
        [("status", "CertificateStatusEnumType", "1..1")],
    )),
    ("LogStatusNotification", (  # 5.13 / 5.14
        [
            ("status", "UploadLogStatusEnumType", "1..1"),
            ("requestId", "integer", "0..1"),
        ],
        [],
    )),
    ("SecurityEventNotification", (  # 5.15 / 5.16
        [
            ("type", ("string", 50), "1..1"),
            ("timestamp", "dateTime", "1..1"),
            ("techInfo", ("string", 255), "0..1"),
        ],
        [],
    )),
    ("SignCertificate", (  # 5.17 / 5.18
        [("csr", ("string", 5500), "1..1")],
        [("status", "GenericStatusEnumType", "1..1")],
    )),
    ("SignedFirmwareStatusNotification", (  # 5.19 / 5.20
        [
            ("status", "FirmwareStatusEnumType", "1..1"),
            ("requestId", "integer", "0..1"),
        ],
        [],
    )),
    ("SignedUpdateFirmware", (  # 5.21 / 5.22
        [
            ("retries", "integer", "0..1"),
            ("retryInterval", "integer", "0..1"),
            ("requestId", "integer", "1..1"),
            ("firmware", "FirmwareType", "1..1"),
        ],
        [("status", "UpdateFirmwareStatusEnumType", "1..1")],
    )),
])

# ---------------------------------------------------------------------------
# QUIRKS: places where the OCA-published files (what OCTT validates against)
# deliberately differ from the specification text.  Each one is listed in
# README.md.  Key: (file stem, field path); value: callable(schema) -> schema.
# ---------------------------------------------------------------------------


def _units_with(spellings):
    def apply(enum_values):
        out = []
        for v in enum_values:
            if v == "Celsius":
                out.extend(spellings)
            else:
                out.append(v)
        return out
    return apply


# OCPP-J errata 2.1: the OCA files spell the temperature unit "Celcius".
# The 2019:12 MeterValues.json carries both spellings, StopTransaction.json
# only the misspelled one (the errata says this "will not be fixed").
ENUM_QUIRKS = {
    ("MeterValues", "UnitOfMeasure"): _units_with(["Celcius", "Celsius"]),
    ("StopTransaction", "UnitOfMeasure"): _units_with(["Celcius"]),
}

# The OCA core (draft-04) files never carry "minItems": a "1..*" field of the
# specification (MeterValues.meterValue, MeterValue.sampledValue,
# ChargingSchedule.chargingSchedulePeriod) is a plain array there, so an empty
# array passes OCTT's schema validation.  We keep the same schema facts; the
# "at least one" rule of the specification is enforced in code, not here.
CORE_MIN_ITEMS_FOR_ONE_OR_MORE = False

# The OCA security (draft-06, OCPP 2.0 style) files follow the OCPP 2.0
# convention that an array, when present, holds at least one element:
# "0..*" GetInstalledCertificateIds.conf.certificateHashData has
# "minItems": 1.  (OCA also writes "additionalItems": false next to a
# single-schema "items"; draft-06 ignores additionalItems in that case, so we
# do not reproduce that no-op keyword.)
SECURITY_ARRAYS_MIN_ITEMS = 1

# Definition names that OCA took from OCPP 2.0.1 instead of the whitepaper.
# Names carry no validation meaning; we follow OCA so that code generated
# from either file set gets the same type names.
SECURITY_DEFINITION_NAMES = {
    ("InstallCertificate", "CertificateStatusEnumType"): "InstallCertificateStatusEnumType",
}


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------

def _is_array(card):
    return card.endswith("..*")


def _is_required(card):
    return card.startswith("1..")


def _min_items(card):
    return 1 if card == "1..*" else None


class CoreBuilder(object):
    """Draft-04, everything inline, as in the OCA 2019:12 core set."""

    def __init__(self, action):
        self.action = action

    def type_schema(self, type_name):
        if type_name in CORE_PRIMITIVES:
            return dict(CORE_PRIMITIVES[type_name])
        if type_name in CORE_ENUMS:
            values = list(CORE_ENUMS[type_name])
            quirk = ENUM_QUIRKS.get((self.action, type_name))
            if quirk:
                values = quirk(values)
            return collections.OrderedDict([
                ("type", "string"),
                ("additionalProperties", False),
                ("enum", values),
            ])
        if type_name in CORE_CLASSES:
            return self.object_schema(CORE_CLASSES[type_name])
        raise KeyError("unknown core type %r" % (type_name,))

    def field_schema(self, type_name, card):
        item = self.type_schema(type_name)
        if not _is_array(card):
            return item
        arr = collections.OrderedDict([("type", "array"), ("items", item)])
        if CORE_MIN_ITEMS_FOR_ONE_OR_MORE and _min_items(card) is not None:
            arr["minItems"] = _min_items(card)
        return arr

    def object_schema(self, fields):
        props = collections.OrderedDict()
        required = []
        for name, type_name, card in fields:
            props[name] = self.field_schema(type_name, card)
            if _is_required(card):
                required.append(name)
        out = collections.OrderedDict([
            ("type", "object"),
            ("properties", props),
            ("additionalProperties", False),
        ])
        if required:
            out["required"] = required
        return out

    def message(self, fields, is_response):
        suffix = "Response" if is_response else "Request"
        body = self.object_schema(fields)
        out = collections.OrderedDict([
            ("$schema", CORE_SCHEMA_URI),
            ("id", CORE_ID_PREFIX + self.action + suffix),
            ("title", self.action + suffix),
        ])
        out.update(body)
        return out


class SecurityBuilder(object):
    """Draft-06, named types in "definitions", OCPP 2.0 style."""

    def __init__(self, action):
        self.action = action
        self.definitions = collections.OrderedDict()

    def ref(self, type_name):
        def_name = SECURITY_DEFINITION_NAMES.get((self.action, type_name), type_name)
        if def_name not in self.definitions:
            self.definitions[def_name] = None  # reserve slot (keeps order)
            if type_name in SECURITY_ENUMS:
                self.definitions[def_name] = collections.OrderedDict([
                    ("type", "string"),
                    ("additionalProperties", False),
                    ("enum", list(SECURITY_ENUMS[type_name])),
                ])
            elif type_name in SECURITY_CLASSES:
                self.definitions[def_name] = self.object_schema(
                    SECURITY_CLASSES[type_name])
            else:
                raise KeyError("unknown security type %r" % (type_name,))
        return {"$ref": "#/definitions/" + def_name}

    def type_schema(self, type_name):
        if isinstance(type_name, tuple):
            kind, length = type_name
            assert kind == "string"
            return collections.OrderedDict([("type", "string"), ("maxLength", length)])
        if type_name in SECURITY_PRIMITIVES:
            return dict(SECURITY_PRIMITIVES[type_name])
        return self.ref(type_name)

    def field_schema(self, type_name, card):
        item = self.type_schema(type_name)
        if not _is_array(card):
            return item
        arr = collections.OrderedDict([("type", "array"), ("items", item)])
        arr["minItems"] = SECURITY_ARRAYS_MIN_ITEMS
        return arr

    def object_schema(self, fields):
        props = collections.OrderedDict()
        required = []
        for name, type_name, card in fields:
            props[name] = self.field_schema(type_name, card)
            if _is_required(card):
                required.append(name)
        out = collections.OrderedDict()
        out["type"] = "object"
        out["additionalProperties"] = False
        if props:  # OCA omits "properties" when no fields are defined
            out["properties"] = props
        if required:
            out["required"] = required
        return out

    def message(self, fields, is_response):
        suffix = ".conf" if is_response else ".req"
        body = self.object_schema(fields)
        out = collections.OrderedDict([
            ("$schema", SECURITY_SCHEMA_URI),
            ("$id", SECURITY_ID_PREFIX + self.action + suffix),
        ])
        if self.definitions:
            out["definitions"] = self.definitions
        out.update(body)
        return out


def build_all():
    """Return {relative path: JSON text} for all 78 files."""
    files = collections.OrderedDict()
    for action, (req, conf) in CORE_MESSAGES.items():
        for is_resp, fields in ((False, req), (True, conf)):
            name = action + ("Response" if is_resp else "") + ".json"
            schema = CoreBuilder(action).message(fields, is_resp)
            files["core/" + name] = json.dumps(schema, indent=4) + "\n"
    for action, (req, conf) in SECURITY_MESSAGES.items():
        for is_resp, fields in ((False, req), (True, conf)):
            name = action + ("Response" if is_resp else "") + ".json"
            schema = SecurityBuilder(action).message(fields, is_resp)
            files["security/" + name] = json.dumps(schema, indent=2) + "\n"
    return files


def main(argv):
    check = "--check" in argv[1:]
    stale = []
    for rel, text in build_all().items():
        path = os.path.join(SCHEMA_ROOT, rel)
        old = None
        if os.path.exists(path):
            with open(path, "r", encoding="utf-8") as f:
                old = f.read()
        if old == text:
            continue
        stale.append(rel)
        if not check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if check:
        for rel in stale:
            print("stale: " + rel)
        return 1 if stale else 0
    print("wrote %d file(s)" % len(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
